#!/usr/bin/env bash
# Benchmarks at province scale (not timed tests). Writes figures to stdout;
# copy them into BENCHMARKS.md. Needs: a release build, wrk (Debian package).
#   bench/run.sh demo    # full-province demo generation on SQLite
#   bench/run.sh http    # a logged-in page under 50 concurrent users
#   bench/run.sh roster  # 50,000-row roster import vs pandas.read_excel + to_sql (needs pandas, openpyxl)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
BIN=target/release/jiuye
OUT=bench/out
mkdir -p "$OUT"

demo() {
  rm -rf "$OUT/data"
  "$BIN" --data-dir "$OUT/data" migrate
  /usr/bin/time -v "$BIN" --data-dir "$OUT/data" demo --graduates 450000 --employers 20000 2>&1 | grep -E "demo data|Elapsed|Maximum resident"
}

http() {
  [ -f "$OUT/data/jiuye.db" ] || demo
  "$BIN" --data-dir "$OUT/data" --bind 127.0.0.1:18080 --log warn serve --no-demo &
  pid=$!
  trap 'kill $pid' EXIT
  for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
  jar="$OUT/cookies.txt"
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" http://127.0.0.1:18080/login -o /dev/null
  csrf=$(awk '$6 == "jiuye_csrf" {print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data "username=admin&password=jiuye2022&_csrf=$csrf" http://127.0.0.1:18080/login
  session=$(awk '$6 == "jiuye_session" {print $7}' "$jar")
  for page in / /registry/institutions "/registry/employers?status=approved" /registry/institutions/1 /registry/regions; do
    echo "== $page"
    curl -fs -b "$jar" -o /dev/null "http://127.0.0.1:18080$page"   # warm the caches once
    wrk -t2 -c50 -d15s --latency -H "Cookie: jiuye_session=$session; jiuye_csrf=$csrf" "http://127.0.0.1:18080$page" | grep -E "Requests/sec|50%|90%|99%"
  done
}

roster() {
  [ -f "$OUT/data/jiuye.db" ] || demo
  python3 -c "import pandas, openpyxl" 2>/dev/null || pip install -q pandas openpyxl
  cargo build --release --quiet --example roster_file
  target/release/examples/roster_file "sqlite://$OUT/data/jiuye.db" 10530 50000 "$OUT/roster-50k.xlsx"
  cp "$OUT/data/jiuye.db" "$OUT/before.db"
  for _ in 1 2 3; do
    cp "$OUT/before.db" "$OUT/data/jiuye.db"; rm -f "$OUT/data/jiuye.db-wal" "$OUT/data/jiuye.db-shm"
    /usr/bin/time -f "jiuye import roster: %e s wall, %M KB" "$BIN" --data-dir "$OUT/data" --log warn import roster "$OUT/roster-50k.xlsx" --institution 10530 2>&1 | tail -1
  done
  cp "$OUT/before.db" "$OUT/pandas.db"
  python3 bench/pandas_roster.py "$OUT/roster-50k.xlsx" "$OUT/pandas.db"
}

"${1:-demo}"
