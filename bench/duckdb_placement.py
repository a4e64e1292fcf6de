"""The same aggregate in DuckDB: each graduate's last destination event
recorded before the end of a China day, counted by institution and rate bucket
(2021 definition). The tables are copied from the platform's database (a SQLite
file or a postgres:// URL) into an in-memory DuckDB first; only the queries are timed.
Usage: python3 bench/duckdb_placement.py DB_FILE_OR_URL"""
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone

import duckdb
from duckdb_attach import attach

con = attach(sys.argv[1])
con.execute("CREATE TABLE graduates AS SELECT id, institution_id FROM s.graduates WHERE cohort_year = 2022")
con.execute('CREATE TABLE events AS SELECT id, graduate_id, "at", category_code FROM s.destination_events WHERE cohort_year = 2022')
con.execute("CREATE TABLE buckets AS SELECT code, bucket_2021 FROM s.code_tables WHERE kind = 'destination' AND version = '2021'")
con.execute("DETACH s")
graduates, events = (con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("graduates", "events"))
print(f"duckdb {duckdb.__version__}: {graduates} graduates, {events} events loaded")

AS_OF = """
WITH last AS (
  SELECT graduate_id, arg_max(category_code, id) AS category_code
  FROM events WHERE "at" < ? GROUP BY graduate_id)
SELECT g.institution_id, COALESCE(b.bucket_2021, 'not_placed') AS bucket, COUNT(*) AS n
FROM graduates g LEFT JOIN last l ON l.graduate_id = g.id LEFT JOIN buckets b ON b.code = l.category_code
GROUP BY 1, 2
"""


def end_of_china_day(day):
    start_next = datetime.combine(day + timedelta(days=1), datetime.min.time(), timezone(timedelta(hours=8)))
    return start_next.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def timed(days, runs=7):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for d in days:
            con.execute(AS_OF, [end_of_china_day(d)]).fetchall()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


one = [date(2022, 8, 31)]
dashboard = [date(2022, 8, 31) - timedelta(weeks=w) for w in range(12, 0, -1)] + [date(2022, 8, 30), date(2022, 8, 31)]
print(f"duckdb as-of report by institution (one day): {timed(one):.1f} ms median")
print(f"duckdb dashboard ({len(dashboard)} days): {timed(dashboard, 3):.1f} ms median")
