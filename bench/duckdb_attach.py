"""DuckDB attached read-only to the platform's database, whichever engine holds it:
a SQLite file (DuckDB's sqlite extension) or a postgres:// URL (its postgres
extension). Both extensions come from PyPI (duckdb-ext-sqlite,
duckdb-ext-postgres), so nothing is downloaded at run time. The tables are
then `s.<name>` on either engine."""
import glob
import os
import site

import duckdb


def attach(target):
    """A DuckDB connection with the platform's database attached as `s`."""
    kind, name = ("postgres", "postgres_scanner") if target.startswith("postgres") else ("sqlite", "sqlite_scanner")
    pattern = os.path.join(site.getsitepackages()[0], f"duckdb_ext/extensions/v*/*/{name}.duckdb_extension")
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{glob.glob(pattern)[0]}'")
    con.execute(f"ATTACH '{target}' AS s (TYPE {kind}, READ_ONLY)")
    return con
