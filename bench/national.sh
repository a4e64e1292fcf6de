#!/usr/bin/env bash
# National scale (issue 17): the national demo on PostgreSQL at one size, then what it costs.
#   bench/national.sh GRADUATES [PROVINCES]     e.g. bench/national.sh 1000000
# Needs a PostgreSQL server (PGURL, default the dev cluster on 55440) and the release build
# (`nice cargo build --release -p jiuye --bins --example placement_stats` makes both).
# Prints: generation time and peak memory, database size, the projection's load and resident
# memory, the server's start-up to a loaded projection and its RSS before and after, and the
# latency of the dashboard and an as-of report (a past day) for the province admin and one
# institution's staff (median of 9 sequential requests after one warm-up).
set -euo pipefail
# SERVE_ONLY=1: the database is there already; only the server's figures. LOAD=1 adds the pages
# under load (wrk).
N=${1:?graduates}
P=${2:-31}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:55440}
DB=jiuye_national_$N
OUT=${OUT:-/tmp/jiuye-national}
TARGET=${TARGET:-target}
BIN=$TARGET/release/jiuye
PORT=${PORT:-18090}
mkdir -p "$OUT"
export JIUYE_DATABASE_URL="$PGURL/$DB"
data="$OUT/data-$N"
if [ -z "${SERVE_ONLY:-}" ]; then
psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
rm -rf "$data"

echo "== generate: jiuye demo --provinces $P --graduates $N"
/usr/bin/time -f "wall %e s, peak RSS %M kB" "$BIN" --data-dir "$data" --log warn demo --provinces "$P" --graduates "$N" 2>&1 \
  | grep -E "demo data|wall"
psql "$JIUYE_DATABASE_URL" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database())) || ' (' || pg_database_size(current_database()) || ' bytes), institutions ' || (SELECT COUNT(*) FROM institutions) || ', graduates ' || (SELECT COUNT(*) FROM graduates) || ', destination events ' || (SELECT COUNT(*) FROM destination_events)"
psql "$JIUYE_DATABASE_URL" -qc "VACUUM ANALYZE"
fi

if [ -x "$TARGET"/release/examples/placement_stats ]; then
  echo "== projection (placement_stats)"
  "$TARGET"/release/examples/placement_stats "$JIUYE_DATABASE_URL"
fi

echo "== serve: start-up to a loaded projection"
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
start=$(date +%s.%N)
"$BIN" --data-dir "$data" --bind "127.0.0.1:$PORT" --log info serve --no-demo >"$OUT/serve-$N.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
up=$(date +%s.%N); rss_up=$(rss $pid)
for _ in $(seq 3000); do grep -q "placement projection loaded" "$OUT/serve-$N.log" && break; sleep 0.1; done
loaded=$(date +%s.%N); sleep 2; rss_loaded=$(rss $pid)
echo "answering after $(echo "$up - $start" | bc) s, projection loaded after $(echo "$loaded - $start" | bc) s"
grep "placement projection loaded" "$OUT/serve-$N.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -1
echo "server RSS: $rss_up kB answering, $rss_loaded kB with the projection; difference $(( (rss_loaded - rss_up) * 1024 / N )) bytes per graduate"

jar="$OUT/cookies-$N.txt"
log_in() {
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/login" -o /dev/null
  csrf=$(awk '$6 == "jiuye_csrf" {print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data "username=$1&password=jiuye2022&_csrf=$csrf" "http://127.0.0.1:$PORT/login"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
timed() {
  # The first request counts (a pass over the projection); the next ones are served the figures
  # remembered for the same revisions, as every view is until a destination is written.
  curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$1" \
    | awk -v p="$1" -v u="$2" '{ printf "%s %s: %.1f ms first (counted)\n", u, p, $1 * 1000 }'
  for _ in $(seq 9); do curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$1"; done \
    | median | awk -v p="$1" -v u="$2" '{ printf "%s %s: %.1f ms median\n", u, p, $1 * 1000 }'
}
for user in admin staff10530; do
  log_in "$user"
  timed "/outcomes/dashboard?date=2022-08-31" "$user"
  timed "/outcomes/placement?as_of=2022-06-30" "$user"
done

if [ -n "${LOAD:-}" ]; then
  # LOAD=1: the statistics pages under 50 connections (wrk, 15 s each after one warm-up request),
  # then today's dashboard while a destination is written every second.
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  load() {
    local cookie="Cookie: $(awk '$6 ~ /^jiuye_/ {printf "%s=%s; ", $6, $7}' "$jar")"
    curl -fs -b "$jar" -o /dev/null "http://127.0.0.1:$PORT$1"
    echo "== $2 $1 under wrk -c50"
    wrk -t2 -c50 -d15s -s bench/percentiles.lua -H "$cookie" "http://127.0.0.1:$PORT$1" | grep -E "^p[0-9]|requests/s"
  }
  log_in admin
  for page in "/outcomes/dashboard?date=2022-08-31" "/outcomes/placement?as_of=2022-08-31" \
      "/outcomes/placement?as_of=2022-08-31&by=major" "/outcomes/reports?period=weekly&date=2022-08-31"; do
    load "$page" admin
  done
  log_in staff10530
  load "/outcomes/dashboard?date=2022-08-31" staff10530
  load "/outcomes/placement?as_of=2022-08-31" staff10530
  log_in admin
  now="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
  record="BEGIN; UPDATE cohorts SET destination_revision = destination_revision + 1 WHERE year = 2022;
    INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, category_code)
    SELECT id, 2022, institution_id, $now, 'bench', '2021', '10' FROM graduates WHERE id = floor(random() * $N)::bigint + 1; COMMIT;"
  (for _ in $(seq 40); do psql -X -qAt "$JIUYE_DATABASE_URL" -c "$record" >/dev/null; sleep 1; done) &
  writer=$!
  load "/outcomes/dashboard?date=$(date -u +%F)" "admin, a destination written every second,"
  kill $writer 2>/dev/null || true; wait $writer 2>/dev/null || true
  sleep 1
  psql -X -qAt "$JIUYE_DATABASE_URL" -c "DELETE FROM destination_events WHERE actor_label = 'bench'"
  echo "server RSS after the load: $(rss $pid) kB"
fi
kill $pid
