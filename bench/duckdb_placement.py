"""The same aggregate in DuckDB: each graduate's last destination event
recorded before the end of a China day, counted by institution and rate bucket
(2021 definition). The tables are copied from the platform's SQLite file into
an in-memory DuckDB first; only the queries are timed.
Usage: python3 bench/duckdb_placement.py DB_FILE"""
import sqlite3
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone

import duckdb
import pandas as pd

db = sys.argv[1]
with sqlite3.connect(db) as conn:
    graduates = pd.read_sql("SELECT id, institution_id FROM graduates WHERE cohort_year = 2022", conn)
    events = pd.read_sql(
        "SELECT id, graduate_id, at, category_code FROM destination_events WHERE cohort_year = 2022", conn
    )
    buckets = pd.read_sql(
        "SELECT code, bucket_2021 FROM code_tables WHERE kind = 'destination' AND version = '2021'", conn
    )
con = duckdb.connect()
con.register("graduates_df", graduates)
con.register("events_df", events)
con.register("buckets_df", buckets)
con.execute("CREATE TABLE graduates AS SELECT * FROM graduates_df")
con.execute("CREATE TABLE events AS SELECT * FROM events_df")
con.execute("CREATE TABLE buckets AS SELECT * FROM buckets_df")
print(f"duckdb {duckdb.__version__}: {len(graduates)} graduates, {len(events)} events loaded")

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
