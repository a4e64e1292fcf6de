#!/usr/bin/env bash
# Benchmarks at province scale (not timed tests). Writes figures to stdout;
# copy them into BENCHMARKS.md. Needs: a release build, wrk (Debian package).
#   bench/run.sh demo    # full-province demo generation on SQLite
#   bench/run.sh http    # a logged-in page under 50 concurrent users
#   bench/run.sh roster  # 50,000-row roster import vs pandas.read_excel + to_sql (needs pandas, openpyxl)
#   bench/run.sh stats   # placement figures: projection vs DuckDB, dashboard and reports under load
#   bench/run.sh audit   # audited writes per second, 1 and 50 writers, SQLite and PostgreSQL
#   bench/run.sh export  # jiuye export placement vs DuckDB computing the same table from the same SQLite file
#   bench/run.sh freeze  # the dashboard after a roster import while serving; the server's memory
#   bench/run.sh lists   # every big list (first, deep, filtered, searched, sorted page) beside /healthz; full exports
#   bench/run.sh hostile # each hostile upload of issue 10 (crates/sheet-reader/examples/hostile.rs): the server's peak memory and time
#   bench/run.sh search  # job search over 1,000,000 postings (N=...): jiuye reindex, FTS5 beside the index, relevance, freshness
#   bench/run.sh verify  # the anomaly scan over 450,000 graduates vs the same rules as DuckDB SQL on the same file
#   bench/run.sh assistance # issue 14: the key-group register and coverage (about 37,000 in the register) beside /healthz
#   bench/run.sh assignment # issue 15: 2,000 applications × 5 experts from 500, conflicts excluded, min-cost flow vs networkx (same network, same cost)
#   bench/run.sh plan    # issue 16: the plan board with every live figure, and the inspection view, at province scale (< 200 ms)
#   bench/run.sh checkins # 10,000 check-ins at one fair's door from 200 clients through the API, SQLite and PostgreSQL (PG_URL=...)
#   bench/run.sh appendix # issue 16: the quality report's data appendix of the largest institution (target under 1 s), first and later views, .xlsx
#   bench/run.sh deadlines # issue 17: every institution pushing destinations at once, 31 August on the dashboard, job search at peak (N=..., PG_URL=...)
#   bench/run.sh scaleout DIR # issue 17: a deployment of scripts/scale-out.sh (running in DIR): pages through its balancer under 50 connections, a server's restart, memory, the replica's lag
#   OLD=/path/to/old/jiuye bench/run.sh ab PAGE...   # the same pages, an older binary and this one in turn
#   bench/run.sh all     # every one above but ab, in turn, into bench/out/report-YYYY-MM-DD.txt (hours;
#                        # PG_URL=postgres://.../postgres adds a second pass on PostgreSQL, see all() below)
# NO_BUILD=1 before any of them runs the release binaries already built.
# JIUYE_DATABASE_URL=postgres://USER@HOST:PORT/DB before any of the province's benchmarks (demo, http,
# stats, export, verify, roster, freeze, lists, assistance, plan, appendix, hostile, search) runs it on
# PostgreSQL: the demo is generated in that database (dropped and created) when it holds none, and the
# peers read the same database (DuckDB's postgres extension, pandas through psycopg2).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null && command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk sqlite3 >/dev/null; }
# NO_BUILD=1 runs the binaries already built (a benchmark beside an unfinished change).
build() { [ -n "${NO_BUILD:-}" ] || cargo build "$@"; }
build --release --quiet
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="$TARGET/release/jiuye"
OUT=bench/out
mkdir -p "$OUT"

on_pg() { [ -n "${JIUYE_DATABASE_URL:-}" ]; }
# The data folder: the SQLite file and the search index, or on PostgreSQL the search index alone
# (one folder for each database).
DATA="$OUT/data"
if on_pg; then DATA="$OUT/pg-data-${JIUYE_DATABASE_URL##*/}"; fi
# The platform's database as the examples take it, and as DuckDB and pandas take it.
# (A benchmark with a province of its own sets a local DATA and, on PostgreSQL, JIUYE_DATABASE_URL.)
db_url() { if on_pg; then echo "$JIUYE_DATABASE_URL"; else echo "sqlite://$DATA/jiuye.db"; fi; }
db_target() { if on_pg; then echo "$JIUYE_DATABASE_URL"; else echo "$DATA/jiuye.db"; fi; }
sql() { if on_pg; then psql -X -t -A "$JIUYE_DATABASE_URL" -c "$1"; else sqlite3 "$DATA/jiuye.db" "$1"; fi; }
# drop URL: URL's PostgreSQL database dropped, if there is one.
drop() { psql -X -q "${1%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${1##*/}\""; }
# recreate URL [OPTIONS]: URL's PostgreSQL database dropped and created (OPTIONS such as TEMPLATE db).
recreate() {
  drop "$1"
  psql -X -q "${1%/*}/postgres" -c "CREATE DATABASE \"${1##*/}\" ${2:-}"
}

# demo [DEMO OPTIONS]: the demo generated afresh (the full province unless options are given).
demo() {
  # The roster benchmark's copy of the province before its imports goes with the old province.
  if on_pg; then
    drop "${JIUYE_DATABASE_URL}_before"
    recreate "$JIUYE_DATABASE_URL"
  else
    rm -f "$DATA.before.db"
  fi
  rm -rf "$DATA"
  "$BIN" --data-dir "$DATA" --log warn migrate
  [ $# -gt 0 ] || set -- --graduates 450000 --employers 20000
  /usr/bin/time -v "$BIN" --data-dir "$DATA" demo "$@" 2>&1 | grep -E "demo data|Elapsed|Maximum resident"
}

# province [DEMO OPTIONS]: the demo, generated when the database holds none.
province() {
  if on_pg; then
    [ "$(sql "SELECT COUNT(*) FROM graduates" 2>/dev/null || echo 0)" -gt 0 ] || demo "$@"
  else
    [ -f "$DATA/jiuye.db" ] || demo "$@"
  fi
}

# The Python peers (pandas, DuckDB with its sqlite and postgres extensions, networkx), pinned, in one
# virtual environment of their own; sets $venv.
py_venv() {
  venv="$OUT/py-venv"
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q pandas==3.1.1 openpyxl==3.1.5 \
    sqlalchemy==2.1.9 psycopg2-binary==2.9.13 duckdb==1.4.4 duckdb-ext-sqlite==1.4.4.20260205 \
    duckdb-ext-postgres==1.4.4.20260205 networkx==3.4.2; }
}

# Starts the server on the benchmark data and logs in as admin; sets $pid and $cookie.
serve_and_log_in() {
  "$BIN" --data-dir "$DATA" --bind 127.0.0.1:18080 --log warn serve --no-demo &
  pid=$!
  trap 'kill $pid' EXIT
  for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
  log_in admin
}

# Logs in as $1 (the demo password); sets $cookie.
log_in() {
  jar="$OUT/cookies.txt"
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" http://127.0.0.1:18080/login -o /dev/null
  csrf=$(awk '$6 == "jiuye_csrf" {print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data "username=$1&password=jiuye2022&_csrf=$csrf" http://127.0.0.1:18080/login
  session=$(awk '$6 == "jiuye_session" {print $7}' "$jar")
  cookie="Cookie: jiuye_session=$session; jiuye_csrf=$csrf"
}

load() {
  curl -fs -H "$cookie" -o /dev/null "http://127.0.0.1:18080$1"   # warm the caches once
  wrk -t2 -c50 -d15s -s bench/percentiles.lua -H "$cookie" "http://127.0.0.1:18080$1" | grep -E "^p[0-9]|requests/s"
}

http() {
  province
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  for page in / /registry/institutions "/registry/employers?status=approved" /registry/institutions/1 /registry/regions; do
    echo "== $page"
    load "$page"
  done
}

stats() {
  province
  py_venv
  build --release --quiet --example placement_stats
  "$TARGET"/release/examples/placement_stats "$(db_url)"
  "$venv/bin/python" bench/duckdb_placement.py "$(db_target)"
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  for page in "/outcomes/dashboard?date=2022-08-31" "/outcomes/placement?as_of=2022-08-31" \
      "/outcomes/placement?as_of=2022-08-31&by=major" "/outcomes/reports?period=weekly&date=2022-08-31"; do
    echo "== $page"
    load "$page"
  done
  # Destinations recorded while people look: each is recorded today, so it changes today's
  # figures (counted again on the next view) and leaves a past day's alone.
  local now="strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" someone="abs(random()) % 450000 + 1"
  if on_pg; then
    now="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" someone="floor(random() * 450000)::bigint + 1"
  fi
  local record="BEGIN; UPDATE cohorts SET destination_revision = destination_revision + 1 WHERE year = 2022;
    INSERT INTO destination_events (graduate_id, cohort_year, institution_id, at, actor_label, code_version, category_code)
    SELECT id, 2022, institution_id, $now, 'bench', '2021', '10' FROM graduates WHERE id = $someone; COMMIT;"
  for every in 1 0.2; do
    for date in 2022-08-31 "$(date -u +%F)"; do
      echo "== /outcomes/dashboard?date=$date while a destination is recorded every $every s"
      (for _ in $(seq 80); do sql "$record" >/dev/null; sleep "$every"; done) &
      writer=$!
      load "/outcomes/dashboard?date=$date"
      kill $writer 2>/dev/null || true
      wait $writer 2>/dev/null || true
    done
  done
  # The province as generated again: the anomaly scan, run next, would count days up to today.
  sleep 1   # a statement the last writer had begun
  sql "DELETE FROM destination_events WHERE actor_label = 'bench'" >/dev/null
}

# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The province as it was before the roster benchmark's imports, put back before each (on PostgreSQL a
# template database beside it, on SQLite a copy of the file).
keep_before() {
  if on_pg; then
    before="${JIUYE_DATABASE_URL}_before"
    [ "$(psql -X -t -A "${before%/*}/postgres" -c "SELECT COUNT(*) FROM pg_database WHERE datname = '${before##*/}'")" = 1 ] ||
      recreate "$before" "TEMPLATE \"${JIUYE_DATABASE_URL##*/}\""
  else
    before="sqlite://$DATA.before.db"
    [ -f "$DATA.before.db" ] || cp "$DATA/jiuye.db" "$DATA.before.db"
  fi
}
# put_back URL: URL's database made the province before the imports again.
put_back() {
  if on_pg; then
    recreate "$1" "TEMPLATE \"${before##*/}\""
  else
    cp "${before#sqlite://}" "${1#sqlite://}"; rm -f "${1#sqlite://}-wal" "${1#sqlite://}-shm"
  fi
  sync
}

roster() {
  province
  py_venv
  build --release --quiet --example roster_file
  keep_before
  "$TARGET"/release/examples/roster_file "$before" 10530 50000 "$OUT/roster-50k.xlsx"
  local walls=() inside=()
  for _ in 1 2 3 4 5; do
    put_back "$(db_url)"
    /usr/bin/time -f "wall %e s, peak %M KB" -o "$OUT/time.txt" "$BIN" --data-dir "$DATA" --log outcomes=debug \
      import roster "$OUT/roster-50k.xlsx" --institution 10530 2> "$OUT/import.log" >/dev/null
    cat "$OUT/time.txt"
    walls+=("$(awk '{print $2}' "$OUT/time.txt")")
    # The import's own time, from start to commit, as the script below times pandas.
    inside+=("$(sed -n 's/\x1b\[[0-9;]*m//g; s/.*roster committed elapsed_ms=\([0-9]*\).*/\1/p' "$OUT/import.log")")
  done
  echo "jiuye import roster: median wall $(printf '%s\n' "${walls[@]}" | median) s, import itself $(printf '%s\n' "${inside[@]}" | median) ms"
  /usr/bin/time -f "the same file again (every row unchanged): wall %e s" "$BIN" --data-dir "$DATA" --log warn \
    import roster "$OUT/roster-50k.xlsx" --institution 10530 2>&1 | tail -1
  local pwalls=() ptotals=()
  local pandas="sqlite://$OUT/pandas.db"
  if on_pg; then pandas="${JIUYE_DATABASE_URL}_pandas"; fi
  for _ in 1 2 3; do
    put_back "$pandas"
    /usr/bin/time -f "%e" -o "$OUT/time.txt" "$venv/bin/python" bench/pandas_roster.py "$OUT/roster-50k.xlsx" "${pandas#sqlite://}" | tee "$OUT/pandas.txt"
    pwalls+=("$(cat "$OUT/time.txt")")
    ptotals+=("$(sed -n 's/.*total \([0-9.]*\) s/\1/p' "$OUT/pandas.txt")")
  done
  echo "pandas: median wall $(printf '%s\n' "${pwalls[@]}" | median) s, read_excel + to_sql $(printf '%s\n' "${ptotals[@]}" | median) s"
  put_back "$(db_url)"   # the province as it was: later benchmarks import rosters of their own
}

# Ours and a DuckDB script over the same database in turn, five times each; medians of wall time and peak memory.
# Usage: in_turn LABEL "DUCKDB SCRIPT ARGS" OUR COMMAND...
in_turn() {
  local label=$1 script=$2; shift 2
  local ours=() theirs=() ours_kb=() theirs_kb=()
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$BIN" --data-dir "$DATA" --log warn "$@" >/dev/null
    ours+=("$(cut -d' ' -f1 "$OUT/time.txt")"); ours_kb+=("$(cut -d' ' -f2 "$OUT/time.txt")")
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$venv/bin/python" $script
    theirs+=("$(cut -d' ' -f1 "$OUT/time.txt")"); theirs_kb+=("$(cut -d' ' -f2 "$OUT/time.txt")")
  done
  echo "$label: median wall $(printf '%s\n' "${ours[@]}" | median) s, peak $(printf '%s\n' "${ours_kb[@]}" | median) KB"
  echo "DuckDB on the same file: median wall $(printf '%s\n' "${theirs[@]}" | median) s, peak $(printf '%s\n' "${theirs_kb[@]}" | median) KB"
}

export_placement() {
  province
  py_venv
  in_turn "jiuye export placement" "bench/duckdb_sqlite_placement.py $(db_target) 2022-08-31" \
    export placement --by institution --as-of 2022-08-31
}

# The anomaly scan over the whole cohort (issue 13) beside the same rules as DuckDB SQL.
verify() {
  province
  py_venv
  in_turn "jiuye verify scan" "bench/duckdb_verify.py $(db_target) 2022" verify scan --cohort 2022 --format json
}

# Audited writes per second (issue 8): WRITERS tasks each begin, insert one small row,
# audit::record it and commit, for 10 s, on a fresh database. PostgreSQL runs in a private
# cluster started here as .ci/run starts one, but with the default (durable) settings.
audit() {
  build --release --quiet --example audit_throughput
  local bench="$TARGET/release/examples/audit_throughput"
  for writers in 1 50; do
    rm -f "$OUT/audit.db" "$OUT/audit.db-wal" "$OUT/audit.db-shm"
    "$bench" "sqlite://$OUT/audit.db" "$writers" 10
  done
  pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
  [ -n "$(pg_bin)" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
  # Not local: the EXIT trap runs after this function has returned.
  port=55433
  pgbin="$(pg_bin)"
  pgdir="$(mktemp -d /tmp/jiuye-pg.XXXXXX)"
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pgdir" postgres
  chown postgres "$pgdir"
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  as_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" -l "$pgdir/log" -w start >/dev/null
  trap 'as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  for writers in 1 50; do
    "$pgbin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -c "DROP DATABASE IF EXISTS jiuye_audit_bench" -c "CREATE DATABASE jiuye_audit_bench"
    "$bench" "postgres://postgres@127.0.0.1:$port/jiuye_audit_bench" "$writers" 10
  done
}


# The big lists (issue 9, item 2): each page under 50 connections while /healthz is loaded
# beside it in the same run (5 connections), as the province and as 湘潭大学's staff; then
# the whole province exported, timed, with the server's peak memory.
# On PostgreSQL: JIUYE_DATABASE_URL=postgres://... bench/run.sh lists (the demo generated there first
# when the database holds none).
# $1 under 50 connections for 10 s, /healthz under 5 in the same seconds beside it.
beside_healthz() {
  wrk -t1 -c5 -d10s -s bench/percentiles.lua "http://127.0.0.1:18080/healthz" > "$OUT/healthz.txt" &
  wrk -t2 -c50 -d10s -s bench/percentiles.lua -H "$cookie" "http://127.0.0.1:18080$1" | grep -E "^p[0-9]|requests/s"
  wait $!
  echo "   /healthz beside it: $(grep -E '^p(50|95)' "$OUT/healthz.txt" | tr '\n' ' ')"
}

lists() {
  province
  serve_and_log_in
  sleep 8   # the projection loads in the background at start (4 s on PostgreSQL): lists, not start-up, are measured
  # A page 2,000 deep, reached as "next" reaches it: after the 99,950th graduate by student number.
  local nth="SELECT id || ':' || student_no FROM graduates ORDER BY student_no, id LIMIT 1 OFFSET 99949"
  deep=$(sql "$nth")
  zhang=%E5%BC%A0   # 张, the commonest surname
  province=(/outcomes/graduates "/outcomes/graduates?page=2001&after=$deep" "/outcomes/graduates?end=1"
    "/outcomes/graduates?category=10" "/outcomes/graduates?category=10&sort=name&dir=desc" "/outcomes/graduates?q=$zhang"
    "/outcomes/graduates?sort=name&dir=desc" "/outcomes/graduates?confirmation=disputed"
    "/outcomes/graduates?q=$zhang&sort=name&dir=desc" "/outcomes/graduates?q=zw" "/outcomes/graduates?category=503"
    /agreements "/agreements?q=$zhang" "/registry/employers" "/registry/employers?page=100" /admin/accounts
    /registry/institutions)
  school=("/outcomes/graduates?category=10" "/outcomes/graduates?q=$zhang" "/outcomes/graduates?sort=name&dir=desc" /agreements)
  for who in admin staff; do
    log_in "$who"
    if [ "$who" = admin ]; then pages=("${province[@]}"); else pages=("${school[@]}"); fi
    for page in "${pages[@]}"; do
      echo "== $who $page"
      curl -fs -H "$cookie" -o /dev/null "http://127.0.0.1:18080$page"
      beside_healthz "$page"
    done
  done
  log_in admin
  for format in csv xlsx; do
    /usr/bin/time -f "export of every graduate as $format: %e s" curl -fs -H "$cookie" -o "$OUT/graduates.$format" \
      "http://127.0.0.1:18080/outcomes/graduates?format=$format"
    echo "   $(stat -c %s "$OUT/graduates.$format") bytes; server peak memory so far $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
  done
}

# Issue 14: the key-group register (/assistance) and the coverage dashboard over the demo's
# 37,000-odd key-group graduates and their ledgers, as the province, a university's office and
# a college's helper, each page under 50 connections with /healthz beside it.
assistance() {
  province
  local entries
  entries=$(sql "SELECT COUNT(*) FROM assistance_entries")
  echo "assistance ledger: $entries entries at $(sql "SELECT COUNT(DISTINCT institution_id) FROM assistance_entries") institutions"
  [ "$entries" -gt 0 ] || { echo "the demo has no ledger: regenerate it (bench/run.sh demo)"; exit 1; }
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  # A page 400 deep, reached as "next" reaches it: after the register's 19,950th graduate by student number.
  local nth="SELECT id || ':' || student_no FROM graduates WHERE key_groups <> '' AND cohort_year = (SELECT MAX(year) FROM cohorts) ORDER BY student_no, id LIMIT 1 OFFSET 19949"
  deep=$(sql "$nth")
  province=(/assistance /assistance/coverage "/assistance?page=400&after=$deep" "/assistance?end=1"
    "/assistance?category=01&placed=no&standard=unmet" "/assistance?silent=60" "/assistance?overdue=1"
    "/assistance?institution=1&standard=met" "/assistance?sort=name&dir=desc")
  school=(/assistance /assistance/coverage "/assistance?placed=no&standard=unmet" "/assistance?overdue=1")
  for who in admin staff college; do
    log_in "$who"
    if [ "$who" = admin ]; then pages=("${province[@]}"); else pages=("${school[@]}"); fi
    for page in "${pages[@]}"; do
      echo "== $who $page"
      curl -fs -H "$cookie" -o /dev/null -w "   one request, first: %{time_total} s\n" "http://127.0.0.1:18080$page"
      beside_healthz "$page"
    done
  done
  log_in admin
  /usr/bin/time -f "hand-over export of the province's unplaced key-group graduates: %e s" curl -fs -H "$cookie" \
    -o "$OUT/handover.xlsx" "http://127.0.0.1:18080/assistance/handover"
  echo "   $(stat -c %s "$OUT/handover.xlsx") bytes; server peak memory so far $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
}

# Issue 9: the dashboard's next view after a 200-row roster import while the server runs (the
# projection takes the change instead of reloading), and the server's memory after list traffic.
freeze() {
  province
  build --release --quiet --example roster_file
  local institution="${INSTITUTION:-10531}"   # another school each run, or the rows are already there
  "$TARGET"/release/examples/roster_file "$(db_url)" "$institution" 200 "$OUT/roster-200.xlsx"
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  local page="http://127.0.0.1:18080/outcomes/dashboard?date=$(date -u +%F)"
  curl -fs -H "$cookie" -o /dev/null -w "dashboard, warm: %{time_total} s\n" "$page"
  "$BIN" --data-dir "$DATA" --log warn import roster "$OUT/roster-200.xlsx" --institution "$institution"
  curl -fs -H "$cookie" -o /dev/null -w "dashboard, first view after the roster import: %{time_total} s\n" "$page"
  curl -fs -H "$cookie" -o /dev/null -w "dashboard, the view after: %{time_total} s\n" "$page"
  grep -E "VmHWM|VmRSS|RssAnon|RssFile" "/proc/$pid/status"
  for list in "/outcomes/graduates" "/outcomes/graduates?sort=name" "/registry/employers?status=approved" /agreements; do
    wrk -t2 -c50 -d15s -s bench/percentiles.lua -H "$cookie" "http://127.0.0.1:18080$list" | grep -E "^p95|requests/s" || true
  done
  echo "after list traffic:"
  grep -E "VmHWM|VmRSS|RssAnon|RssFile" "/proc/$pid/status"
}

# Each hostile file uploaded as a province admin to a small demo's roster import: the time to the
# answer, its refusal, and the server's peak memory for that upload alone (VmHWM, reset in between).
hostile() {
  local files="$OUT/hostile" DATA="$OUT/hostile-data"
  if on_pg; then local JIUYE_DATABASE_URL="${JIUYE_DATABASE_URL}_hostile" DATA="$OUT/pg-data-hostile"; fi
  cargo run --release --quiet -p sheet-reader --example hostile -- bench "$files"
  province --graduates 2000 --employers 50
  "$BIN" --data-dir "$DATA" --bind 127.0.0.1:18080 --log warn serve --no-demo &
  pid=$!
  trap 'kill $pid' EXIT
  for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
  # A first start builds the job search index in the background (60,000 postings, about 140 MB
  # while it runs): the uploads are measured on a server that has settled.
  sleep 10
  log_in admin
  local code cohort
  code=$(sql "SELECT code FROM institutions ORDER BY code LIMIT 1")
  cohort=$(sql "SELECT MAX(year) FROM cohorts")
  echo "idle: $(grep VmHWM "/proc/$pid/status")"
  for file in "$files"/*; do
    echo 5 > "/proc/$pid/clear_refs"   # VmHWM from here on
    local answer
    answer=$(curl -s -H "$cookie" -o "$OUT/hostile-answer.html" -w "%{http_code} %{time_total}s" \
      -F "_csrf=$csrf" -F "institution=$code" -F "cohort=$cohort" -F "file=@$file" http://127.0.0.1:18080/outcomes/roster)
    local said
    said=$(grep -o -E '文件超出导入上限：[^。]*|id="error-count">[0-9]+' "$OUT/hostile-answer.html" | head -1)
    printf '%s\t%s bytes\t%s\t%s\t%s\n' "$(basename "$file")" "$(stat -c %s "$file")" "$answer" \
      "$(grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ')" "${said:-?}"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; trap - EXIT
}

# Job search (issue 11): N postings (1,000,000 unless N is set) of 20,000 demo employers from the demo's
# generator, in a database and data folder of their own with a small cohort (the postings are what is
# measured); `jiuye reindex` timed with its peak memory; then crates/jiuye/examples/search_bench.rs: the
# database's own text search built beside it (FTS5 on SQLite, pg_trgm on PostgreSQL), the same searches
# through both, relevance, and how soon a new posting is found.
search() {
  local n="${N:-1000000}" DATA="$OUT/search-data" url=()
  if on_pg; then
    local JIUYE_DATABASE_URL="${JIUYE_DATABASE_URL}_search" DATA="$OUT/pg-data-search"
    url=(--database-url "$JIUYE_DATABASE_URL")
  fi
  if [ "$(sql "SELECT COUNT(*) FROM postings" 2>/dev/null)" != "$n" ]; then
    demo --graduates 20000 --employers 20000 --no-destinations --postings "$n"
  fi
  size() { if on_pg; then sql "SELECT pg_size_pretty(pg_database_size(current_database()))"; else du -sh "$DATA/jiuye.db" | cut -f1; fi; }
  for _ in 1 2 3; do
    rm -rf "$DATA/search"
    /usr/bin/time -v "$BIN" --data-dir "$DATA" --log warn reindex 2>&1 | grep -E "rebuilt|Elapsed|Maximum resident"
  done
  echo "index folder: $(du -sh "$DATA/search/postings" | cut -f1), database: $(size) before the peer's table"
  build --release --quiet --example search_bench
  "$TARGET"/release/examples/search_bench "$DATA" "${url[@]}" --runs "${RUNS:-30}"
  echo "database with the peer's table: $(size)"
}

# A fair's door under a burst (issue 12): crates/jiuye/examples/checkin_burst.rs sets up the fair on a fresh
# database, starts the server and checks every figure in the database afterwards. Too long for CI (a demo
# province and 10,500 requests per engine); PostgreSQL only when PG_URL names an empty database.
# RATE: scans a second over all clients, each due on its own schedule (a door's pace: 10,000 in 50 s);
# RATE=0 fires flat out (the server's capacity).
checkins() {
  local n="${N:-10000}" clients="${CLIENTS:-200}" rate="${RATE:-200}" data="$OUT/checkins-data"
  build --release --quiet --example checkin_burst
  rm -rf "$data" && mkdir -p "$data"
  "$TARGET"/release/examples/checkin_burst "$BIN" "sqlite://$data/jiuye.db" "$data" "$n" "$clients" "$rate"
  if [ -n "${PG_URL:-}" ]; then
    # A fresh database beside PG_URL's on the same server, each run.
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS jiuye_checkins" -c "CREATE DATABASE jiuye_checkins"
    "$TARGET"/release/examples/checkin_burst "$BIN" "${PG_URL%/*}/jiuye_checkins" "$data" "$n" "$clients" "$rate"
  fi
  uptime
}

# Load at the deadlines (issue 17): crates/jiuye/examples/deadline_rush.rs on a fresh demo province,
# SQLite and, with PG_URL, PostgreSQL. SHARE percent of every institution's graduates in BATCH-row batches.
deadlines() {
  local n="${N:-450000}" share="${SHARE:-20}" rows="${BATCH:-500}" seconds="${SECONDS_EACH:-20}" data="$OUT/deadline-data"
  build --release --quiet --example deadline_rush
  rm -rf "$data" && mkdir -p "$data"
  "$TARGET"/release/examples/deadline_rush "$BIN" "sqlite://$data/jiuye.db" "$data" "$n" "$share" "$rows" "$seconds"
  if [ -n "${PG_URL:-}" ]; then
    rm -rf "$data" && mkdir -p "$data"
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS jiuye_deadlines" -c "CREATE DATABASE jiuye_deadlines"
    "$TARGET"/release/examples/deadline_rush "$BIN" "${PG_URL%/*}/jiuye_deadlines" "$data" "$n" "$share" "$rows" "$seconds"
  fi
  uptime
}

# Issue 17: a running deployment of scripts/scale-out.sh (same PORT_BASE): one app server restarted
# (answering, projection loaded, memory), then the statistics, list and search pages through the
# balancer under 50 connections, each as the province and as one institution's office, and the
# replica's lag as the servers last sampled it.
scaleout() {
  local dir="${1:?DIR of scripts/scale-out.sh start}" base="${PORT_BASE:-18100}" jiuye
  local balancer="http://127.0.0.1:$base" app2=$((base + 2)) primary=$((base + 11)) replica=$((base + 12))
  jiuye="$(readlink -f "${JIUYE:-$BIN}")"
  rss() { awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$1/status"; }
  echo "== app server 2 restarted (the projection loads from the primary in the background)"
  kill "$(cat "$dir/app2.pid")" && sleep 1
  local start; start=$(date +%s.%N)
  setsid "$jiuye" --database-url "postgres://postgres@127.0.0.1:$primary/jiuye" \
    --replica-url "postgres://postgres@127.0.0.1:$replica/jiuye" --data-dir "$dir/app2" --files-dir "$dir/files" \
    --bind "127.0.0.1:$app2" --client-ip-header X-Real-IP --log info serve --no-demo >"$dir/app2.log" 2>&1 </dev/null &
  echo $! >"$dir/app2.pid"
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$app2/healthz" >/dev/null && break; sleep 0.1; done
  echo "answering after $(echo "$(date +%s.%N) - $start" | bc) s, RSS $(rss "$(cat "$dir/app2.pid")")"
  for _ in $(seq 3000); do grep -q "placement projection loaded" "$dir/app2.log" && break; sleep 0.1; done
  echo "projection loaded after $(echo "$(date +%s.%N) - $start" | bc) s"
  sed 's/\x1b\[[0-9;]*m//g' "$dir/app2.log" | grep "placement projection loaded" | tail -1
  sleep 2
  echo "RSS with the projection: app1 $(rss "$(cat "$dir/app1.pid")"), app2 $(rss "$(cat "$dir/app2.pid")")"
  local who page jar="$OUT/scaleout-cookies.txt" csrf session
  for who in admin staff10530; do
    rm -f "$jar"
    curl -fs -c "$jar" -b "$jar" -o /dev/null "$balancer/login"
    csrf=$(awk '$6 == "jiuye_csrf" {print $7}' "$jar")
    curl -fs -c "$jar" -b "$jar" -o /dev/null --data "username=$who&password=jiuye2022&_csrf=$csrf" "$balancer/login"
    session=$(awk '$6 == "jiuye_session" {print $7}' "$jar")
    cookie="Cookie: jiuye_session=$session; jiuye_csrf=$csrf"
    for page in "/outcomes/dashboard?date=2022-08-31" "/outcomes/placement?as_of=2022-06-30" \
        "/outcomes/placement?as_of=2022-06-30&by=major" /outcomes/graduates "/outcomes/graduates?q=%E5%BC%A0" \
        "/jobs?q=%E8%BD%AF%E4%BB%B6"; do
      echo "== $who $page"
      # Both servers once (each counts for itself the first time), then the load.
      curl -fs -H "$cookie" -o /dev/null -w "first through the balancer %{time_total} s\n" "$balancer$page"
      curl -fs -H "$cookie" -o /dev/null -w "second %{time_total} s\n" "$balancer$page"
      wrk -t2 -c50 -d15s -s bench/percentiles.lua -H "$cookie" "$balancer$page" | grep -E "^p[0-9]|requests/s|Non-2xx|Socket errors"
    done
  done
  echo "RSS after the load: app1 $(rss "$(cat "$dir/app1.pid")"), app2 $(rss "$(cat "$dir/app2.pid")")"
  # Behind by the WAL the primary has written and the replica not yet replayed (the time since
  # the last replayed transaction grows whenever nothing is written, so it is not the lag).
  local written; written=$(psql -X -At -h 127.0.0.1 -p "$primary" -U postgres -d jiuye -c "SELECT pg_current_wal_lsn()")
  psql -X -At -h 127.0.0.1 -p "$replica" -U postgres -d jiuye \
    -c "SELECT 'replica: in recovery ' || pg_is_in_recovery() || ', behind the primary by ' || pg_wal_lsn_diff('$written', pg_last_wal_replay_lsn()) || ' bytes of WAL'"
  psql -X -At -h 127.0.0.1 -p "$primary" -U postgres -d jiuye \
    -c "SELECT 'database ' || pg_size_pretty(pg_database_size('jiuye')) || ', graduates ' || (SELECT COUNT(*) FROM graduates) || ', institutions ' || (SELECT COUNT(*) FROM institutions)"
  uptime
}

# Expert assignment (issue 15): ours in release on a seeded instance, then networkx's
# min_cost_flow on the same network written out as JSON (the costs must be equal).
assignment() {
  cargo build --release --quiet -p programmes --example assignment_bench
  for _ in 1 2 3; do "$TARGET"/release/examples/assignment_bench; done
  "$TARGET"/release/examples/assignment_bench --json "$OUT/assignment.json" | tail -1
  py_venv
  /usr/bin/time -f "networkx: wall %e s, peak %M KB" "$venv/bin/python" bench/networkx_assignment.py "$OUT/assignment.json"
}

# Issue 16: the plan board reads every measure's live figure concurrently; the inspection view one university's.
plan() {
  province
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  for page in /plan "/plan/inspection?institution=1" /plan/returns; do
    echo "== $page"
    curl -fs -H "$cookie" -o /dev/null -w "   one request, first: %{time_total} s\n" "http://127.0.0.1:18080$page"
    load "$page"
  done
}

# An older binary and this one in turn, three rounds, on the same data: a ratio that holds on a busy machine.
ab() {
  province
  local new="$BIN" warm="${WARM:-8}"
  for round in 1 2 3; do
    for BIN in "$OLD" "$new"; do
      serve_and_log_in
      sleep "$warm"   # the projection loads in the background at start
      for page in "$@"; do
        curl -fs -H "$cookie" -o /dev/null "http://127.0.0.1:18080$page"
        echo "$round $BIN $page $(wrk -t2 -c50 -d8s -s bench/percentiles.lua -H "$cookie" "http://127.0.0.1:18080$page" | grep -E "^p99|requests/s" | tr '\n' ' ')"
      done
      kill "$pid"; wait "$pid" 2>/dev/null || true; trap - EXIT
    done
  done
  BIN="$new"
}

# The data appendix (数据附录) of the institution with the most 2022 graduates: the first view
# counts every grouping from the projection, later ones are remembered; a past day and today.
appendix() {
  province
  local largest
  largest=$(sql "SELECT institution_id FROM graduates WHERE cohort_year = 2022 GROUP BY institution_id ORDER BY COUNT(*) DESC LIMIT 1")
  echo "largest institution: $largest, $(sql "SELECT COUNT(*) FROM graduates WHERE cohort_year = 2022 AND institution_id = $largest") graduates"
  serve_and_log_in
  sleep 8   # the projection loads in the background at start
  for day in 2022-08-31 "$(date -u +%F)"; do
    local page="/reports/appendix?cohort=2022&institution=$largest&as_of=$day"
    echo "== $page: seconds, the first view then five more"
    for _ in 1 2 3 4 5 6; do curl -fs -H "$cookie" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:18080$page"; done
    echo "== $page&format=xlsx"
    curl -fs -H "$cookie" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:18080$page&format=xlsx"
  done
  echo "== under load"
  load "/reports/appendix?cohort=2022&institution=$largest&as_of=2022-08-31"
}

# The whole report (BENCHMARKS.md, "The report at a glance"): every benchmark above that needs no
# argument, in turn, each in a subshell of its own (its server and its EXIT trap end with it, and a
# failure is written down rather than ending the rest), all output in one dated file with the machine
# and the commit at the top. The demo comes first: the others measure the province it generates;
# roster and freeze come after the pages, as they add graduates to it. With PG_URL (a PostgreSQL
# server's postgres database) checkins and deadlines run on both engines, and a second pass runs the
# province's benchmarks again on PostgreSQL, in the database jiuye_bench beside PG_URL's.
all() {
  local report
  report="$OUT/report-$(date -u +%F).txt"
  unset JIUYE_DATABASE_URL
  {
    echo "# bench/run.sh all, started $(date -u '+%F %T') UTC"
    echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "uname -a: $(uname -a)"
    echo "nproc: $(nproc)"
    echo "free -g:"
    free -g
    echo "uptime: $(uptime)"
    echo "PG_URL: ${PG_URL:-(not set: SQLite only)}"
    in_turn_all SQLite demo http stats export_placement verify assistance plan appendix lists roster freeze \
      audit hostile checkins deadlines assignment search
    if [ -n "${PG_URL:-}" ]; then
      export JIUYE_DATABASE_URL="${PG_URL%/*}/jiuye_bench"
      DATA="$OUT/pg-data-jiuye_bench"
      in_turn_all PostgreSQL demo http stats export_placement verify assistance plan appendix lists roster \
        freeze hostile search
    fi
    echo
    echo "# finished $(date -u '+%F %T') UTC"
  } 2>&1 | tee "$report"
  echo "written to $report"
}

# in_turn_all ENGINE NAME...: each benchmark in a subshell of its own, its exit status and time written down.
in_turn_all() {
  local engine=$1 name started rc
  shift
  for name in "$@"; do
    echo
    echo "===== bench/run.sh ${name/export_placement/export} ($engine), started $(date -u '+%F %T') UTC, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    started=$(date +%s)
    # Not `( "$name" ) || rc=$?`: on the left of || errexit is off inside the subshell too.
    set +e
    ( set -e; "$name" )
    rc=$?
    set -e
    echo "===== ${name/export_placement/export} ($engine): exit status $rc, $(( $(date +%s) - started )) s"
    # The next one's server binds the same port: wait until this one's has gone.
    for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/healthz >/dev/null 2>&1 || break; sleep 0.2; done
  done
}

case "${1:-demo}" in
  export) export_placement ;;
  *) "${1:-demo}" "${@:2}" ;;
esac
