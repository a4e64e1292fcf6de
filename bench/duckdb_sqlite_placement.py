"""The placement table by institution as DuckDB computes it straight from the
platform's database, a SQLite file or a postgres:// URL (bench/duckdb_attach.py): each
graduate's last destination event recorded before the end of the China day,
counted by institution and rate bucket (2021 definition). The whole process is
timed from outside, as `jiuye export placement` is.
Usage: python3 bench/duckdb_sqlite_placement.py DB_FILE_OR_URL [DAY]"""
import sys
from datetime import date, datetime, timedelta, timezone

import duckdb
from duckdb_attach import attach

db = sys.argv[1]
day = date.fromisoformat(sys.argv[2] if len(sys.argv) > 2 else "2022-08-31")
end = datetime.combine(day + timedelta(days=1), datetime.min.time(), timezone(timedelta(hours=8)))
end = end.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

con = attach(db)
rows = con.execute(
    """
WITH last AS (
  SELECT graduate_id, arg_max(category_code, id) AS category_code
  FROM s.destination_events WHERE cohort_year = 2022 AND "at" < ? GROUP BY graduate_id),
buckets AS (SELECT code, bucket_2021 FROM s.code_tables WHERE kind = 'destination' AND version = '2021')
SELECT i.name, COALESCE(b.bucket_2021, 'not_placed') AS bucket, COUNT(*) AS n
FROM s.graduates g JOIN s.institutions i ON i.id = g.institution_id
LEFT JOIN last l ON l.graduate_id = g.id LEFT JOIN buckets b ON b.code = l.category_code
WHERE g.cohort_year = 2022 GROUP BY 1, 2 ORDER BY 1, 2""",
    [end],
).fetchall()
print(f"duckdb {duckdb.__version__}: {len(rows)} institution and bucket counts", file=sys.stderr)
