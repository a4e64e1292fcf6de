"""The anomaly scan's rules (issue 13) written as DuckDB SQL over the platform's
database, a SQLite file or a postgres:// URL (bench/duckdb_attach.py), beside
`jiuye verify scan` in the same run. Same default thresholds as
`verification::signals::Thresholds`; the whole process is timed from outside,
as the platform's command is. Left out as SQL would not say it plainly: the
credit code's check digit (GB 32100) in the cluster rule.
Usage: python3 bench/duckdb_verify.py DB_FILE_OR_URL [COHORT]"""
import sys

import duckdb
from duckdb_attach import attach

db = sys.argv[1]
cohort = int(sys.argv[2]) if len(sys.argv) > 2 else 2022

con = attach(db)

version, definition = con.execute(
    "SELECT destination_version, rate_definition FROM s.cohorts WHERE year = ?", [cohort]
).fetchone()
bucket = "bucket_2024" if definition == "2024" else "bucket_2021"

con.execute(
    f"""
CREATE TEMP TABLE categories AS
SELECT code, COALESCE({bucket}, 'not_placed') AS bucket,
       COALESCE(evidence, '') LIKE '%agreement%' AS agreement_type
FROM s.code_tables WHERE kind = 'destination' AND version = ?""",
    [version],
)
con.execute(
    """
CREATE TEMP TABLE institution AS
SELECT i.id, i.code, i.level, COUNT(*) AS graduates
FROM s.institutions i JOIN s.graduates g ON g.institution_id = i.id AND g.cohort_year = ?
GROUP BY ALL""",
    [cohort],
)
# Every event in China time, with whether it leaves the graduate placed and whether the one before did.
con.execute(
    """
CREATE TEMP TABLE ev AS
SELECT e.id, e.graduate_id, e.institution_id, e.actor_label, e.category_code, e.employer_name, e.credit_code,
       CAST(replace(replace(e."at", 'T', ' '), 'Z', '') AS TIMESTAMP) + INTERVAL 8 HOUR AS local,
       c.bucket <> 'not_placed' AS placed, c.agreement_type
FROM s.destination_events e LEFT JOIN categories c ON c.code = e.category_code
WHERE e.cohort_year = ?""",
    [cohort],
)
con.execute(
    """
CREATE TEMP TABLE latest AS
SELECT graduate_id, arg_max(institution_id, (local, id)) AS institution_id,
       arg_max(category_code, (local, id)) AS category_code,
       arg_max(COALESCE(NULLIF(credit_code, ''), employer_name), (local, id)) AS employer,
       arg_max(credit_code, (local, id)) AS credit_code
FROM ev GROUP BY graduate_id"""
)

signals = {}

# Sudden rise: the rate up more than 10 points inside 7 days.
con.execute(
    """
CREATE TEMP TABLE daily AS
WITH steps AS (
  SELECT institution_id, CAST(local AS DATE) AS day,
         CAST(COALESCE(placed, false) AS INT)
         - CAST(COALESCE(LAG(placed) OVER (PARTITION BY graduate_id ORDER BY local, id), false) AS INT) AS delta
  FROM ev),
by_day AS (SELECT institution_id, day, SUM(delta) AS delta FROM steps GROUP BY ALL HAVING SUM(delta) <> 0)
SELECT b.institution_id, b.day,
       SUM(b.delta) OVER (PARTITION BY b.institution_id ORDER BY b.day) * 100.0 / i.graduates AS rate
FROM by_day b JOIN institution i ON i.id = b.institution_id"""
)
signals["sudden_rise"] = con.execute(
    """
SELECT a.institution_id, MAX(b.rate - a.rate) AS rise FROM daily a JOIN daily b
  ON b.institution_id = a.institution_id AND b.day > a.day AND b.day <= a.day + 7
GROUP BY 1 HAVING MAX(b.rate - a.rate) > 10"""
).fetchall()

# A smaller rise far outside the institution's own 7-day rises and its peers' on the same day (robust z).
signals["unusual_rise"] = con.execute(
    """
WITH days AS (SELECT UNNEST(generate_series(MIN(day), MAX(day), INTERVAL 1 DAY))::DATE AS day FROM daily),
grid AS (
  SELECT i.id AS institution_id, d.day,
         (SELECT rate FROM daily x WHERE x.institution_id = i.id AND x.day <= d.day ORDER BY x.day DESC LIMIT 1) AS rate
  FROM institution i, days d WHERE i.graduates >= 30),
rises AS (
  SELECT institution_id, day,
         COALESCE(rate, 0) - COALESCE(LAG(rate, 7) OVER (PARTITION BY institution_id ORDER BY day), 0) AS rise
  FROM grid),
own AS (SELECT institution_id, median(rise) AS m, mad(rise) AS d FROM rises GROUP BY 1),
peers AS (SELECT day, median(rise) AS m, mad(rise) AS d FROM rises GROUP BY 1)
SELECT r.institution_id, MAX(r.rise) FROM rises r JOIN own o USING (institution_id) JOIN peers p USING (day)
WHERE r.rise >= 3 AND r.rise <= 10
  AND (r.rise - o.m) / GREATEST(1.4826 * o.d, 0.5) > 4 AND (r.rise - p.m) / GREATEST(1.4826 * p.d, 0.5) > 4
GROUP BY 1"""
).fetchall()

# Shares of flexible employment, freelance and self-employment far above the level's peers.
signals["share"] = con.execute(
    """
WITH counts AS (
  SELECT l.institution_id, c.bucket, COUNT(*) AS n FROM latest l JOIN categories c ON c.code = l.category_code
  WHERE c.bucket IN ('flexible', 'freelance', 'self_employed') GROUP BY ALL),
shares AS (
  SELECT i.id, i.level, b.bucket, COALESCE(c.n, 0) * 1.0 / i.graduates AS share
  FROM institution i CROSS JOIN (VALUES ('flexible'), ('freelance'), ('self_employed')) b(bucket)
  LEFT JOIN counts c ON c.institution_id = i.id AND c.bucket = b.bucket WHERE i.graduates >= 30),
peers AS (SELECT level, bucket, median(share) AS m, mad(share) AS d FROM shares GROUP BY ALL)
SELECT s.id, s.bucket, s.share FROM shares s JOIN peers p USING (level, bucket)
WHERE (s.share - p.m) / GREATEST(1.4826 * p.d, 0.0001) > 3.5"""
).fetchall()

# Clusters: ten or more graduates at one employer that is outside the registry, unapproved or new.
signals["cluster"] = con.execute(
    """
SELECT l.institution_id, l.employer, COUNT(*) FROM latest l
LEFT JOIN s.employers e ON e.credit_code = l.credit_code
WHERE l.employer IS NOT NULL
  AND (e.id IS NULL OR e.status <> 'approved' OR CAST(substr(e.created_at, 1, 4) AS INT) >= ?)
GROUP BY ALL HAVING COUNT(*) >= 10""",
    [cohort],
).fetchall()

# Bulk edits: 50 or more changes by one account inside an hour.
signals["bulk_edit"] = con.execute(
    """
WITH w AS (
  SELECT actor_label, institution_id, local,
         COUNT(*) OVER (PARTITION BY actor_label ORDER BY local RANGE BETWEEN INTERVAL 60 MINUTE PRECEDING AND CURRENT ROW) AS n
  FROM ev)
SELECT actor_label, MAX(n), bool_or(hour(local) < 8 OR hour(local) >= 20) FROM w GROUP BY 1 HAVING MAX(n) >= 50"""
).fetchall()

# One evidence file behind five or more graduates.
signals["evidence_reused"] = con.execute(
    """
SELECT g.institution_id, e.file_sha256, COUNT(DISTINCT e.graduate_id) FROM s.destination_evidence e
JOIN s.graduates g ON g.id = e.graduate_id WHERE g.cohort_year = ? AND e.file_sha256 IS NOT NULL
GROUP BY ALL HAVING COUNT(DISTINCT e.graduate_id) >= 5""",
    [cohort],
).fetchall()

# Disputes above 5% of those recorded; confirmations under 20%.
signals["answers"] = con.execute(
    """
SELECT institution_id, SUM(CASE WHEN confirmation = 'disputed' THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS disputed,
       SUM(CASE WHEN confirmation = 'confirmed' THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS confirmed
FROM s.destinations WHERE cohort_year = ? GROUP BY 1
HAVING disputed > 0.05 OR confirmed < 0.2""",
    [cohort],
).fetchall()

# Signing-platform use under half of the agreement-type destinations.
signals["signing"] = con.execute(
    """
WITH typed AS (
  SELECT l.institution_id, COUNT(*) AS n FROM latest l JOIN categories c ON c.code = l.category_code
  WHERE c.agreement_type GROUP BY 1),
signed AS (
  SELECT institution_id, COUNT(DISTINCT graduate_id) AS n FROM s.agreements WHERE cohort_year = ?
  AND status IN ('effective', 'cancel_requested', 'cancel_college_approved', 'cancel_employer_approved') GROUP BY 1)
SELECT t.institution_id, COALESCE(s.n, 0) * 1.0 / t.n FROM typed t LEFT JOIN signed s USING (institution_id)
WHERE COALESCE(s.n, 0) * 1.0 / t.n < 0.5""",
    [cohort],
).fetchall()

print(
    f"duckdb {duckdb.__version__}: " + ", ".join(f"{k} {len(v)}" for k, v in signals.items()),
    file=sys.stderr,
)
