"""What an office would otherwise do: pandas.read_excel plus DataFrame.to_sql of
the same roster file into the same database engine (a SQLite file, or a
postgres:// URL through SQLAlchemy and psycopg2), with no checks.
Usage: python3 bench/pandas_roster.py ROSTER.xlsx DB_FILE_OR_URL"""
import sqlite3
import sys
import time

import pandas as pd

path, db = sys.argv[1], sys.argv[2]
start = time.perf_counter()
frame = pd.read_excel(path, dtype=str)
read = time.perf_counter()
if db.startswith("postgres"):
    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg2://" + db.split("://", 1)[1])
    with engine.begin() as conn:
        frame.to_sql("pandas_roster", conn, if_exists="replace", index=False)
    engine.dispose()
else:
    with sqlite3.connect(db) as conn:
        frame.to_sql("pandas_roster", conn, if_exists="replace", index=False)
done = time.perf_counter()
print(f"pandas: {len(frame)} rows, read_excel {read - start:.2f} s, to_sql {done - read:.2f} s, total {done - start:.2f} s")
