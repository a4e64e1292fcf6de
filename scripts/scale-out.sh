#!/usr/bin/env bash
# The platform scaled out on one machine, on loopback, from nothing: a PostgreSQL primary with
# the national demo in it, a streaming replica of it (scripts/replica.sh), two app servers that
# share one files folder and read reports from the replica, and nginx in front of them (round
# robin, no stickiness). The README's "Scale out" walks through what it does.
#
#   scripts/scale-out.sh start DIR [GRADUATES] [PROVINCES]   # default 1000000 graduates, 31 provinces
#   scripts/scale-out.sh stop DIR
#
# Ports (PORT_BASE, default 18100): nginx PORT_BASE, app servers +1 and +2, primary +11, replica +12.
# DEMO_ARGS adds to `jiuye demo` (CI's short pass: DEMO_ARGS="--employers 300 --postings 500").
# Needs Debian's postgresql and nginx packages (installed when missing, as root) and the release
# build (JIUYE=path to the binary; by default target/release/jiuye, built when missing).
# 12,000,000 graduates need about 75 GB of disk for the database and hours to generate; a smaller
# number shows the same deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${PORT_BASE:-18100}"
balancer=$base app1=$((base + 1)) app2=$((base + 2)) primary=$((base + 11)) replica=$((base + 12))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start() {
  local dir="$1" graduates="${2:-1000000}" provinces="${3:-31}"
  [ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || { echo "$dir is not empty" >&2; exit 1; }
  local port
  for port in $balancer $app1 $app2 $primary $replica; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "port $port is in use: set PORT_BASE (ports PORT_BASE, +1, +2, +11, +12 must be free)" >&2
      exit 1
    fi
  done
  if [ -z "$(pg_bin)" ] || ! command -v nginx >/dev/null; then
    apt-get update -qq && apt-get install -y -qq postgresql nginx >/dev/null
  fi
  local pg jiuye="${JIUYE:-target/release/jiuye}"
  pg="$(pg_bin)"
  [ -x "$jiuye" ] || cargo build --release --quiet
  mkdir -p "$dir" && dir="$(cd "$dir" && pwd)" && chmod 755 "$dir"   # nginx's workers pass through it
  [ "$(id -u)" != 0 ] || chown postgres "$dir"

  echo "== 1. the primary on 127.0.0.1:$primary"
  as_pg "$pg/initdb" -D "$dir/primary" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  # In postgresql.conf, not on the command line: the replica's copy must carry it (a standby
  # refuses to start with fewer connections than its primary allows).
  echo "max_connections = 200" | as_pg tee -a "$dir/primary/postgresql.conf" >/dev/null
  as_pg "$pg/pg_ctl" -D "$dir/primary" -l "$dir/primary/server.log" -w start \
    -o "-p $primary -k /tmp -c listen_addresses=127.0.0.1" >/dev/null
  "$pg/psql" -q -h 127.0.0.1 -p "$primary" -U postgres -c "CREATE DATABASE jiuye"
  local db="postgres://postgres@127.0.0.1:$primary/jiuye"

  echo "== 2. the national demo: $graduates graduates in $provinces provinces (migrates first)"
  mkdir -p "$dir/files"
  "$jiuye" --database-url "$db" --data-dir "$dir/app1" --files-dir "$dir/files" --log warn \
    demo --provinces "$provinces" --graduates "$graduates" ${DEMO_ARGS:-}

  echo "== 3. the replica on 127.0.0.1:$replica (pg_basebackup, hot standby)"
  scripts/replica.sh "$primary" "$dir/replica" "$replica" >/dev/null

  echo "== 4. two app servers on 127.0.0.1:$app1 and :$app2, one files folder"
  for n in 1 2; do
    local port=$((base + n))
    setsid "$jiuye" --database-url "$db" --replica-url "postgres://postgres@127.0.0.1:$replica/jiuye" \
      --data-dir "$dir/app$n" --files-dir "$dir/files" --bind "127.0.0.1:$port" \
      --client-ip-header X-Real-IP --log warn serve --no-demo >"$dir/app$n.log" 2>&1 </dev/null &
    echo $! >"$dir/app$n.pid"
  done
  for port in $app1 $app2; do
    for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the server on :$port did not start" >&2; exit 1; }
  done

  echo "== 5. nginx on 127.0.0.1:$balancer, round robin over both"
  mkdir -p "$dir/nginx/temp"
  [ "$(id -u)" != 0 ] || chown -R www-data "$dir/nginx/temp"
  cat >"$dir/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user www-data;")
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/temp/body;
    proxy_temp_path $dir/nginx/temp/proxy;
    fastcgi_temp_path $dir/nginx/temp/fastcgi;
    uwsgi_temp_path $dir/nginx/temp/uwsgi;
    scgi_temp_path $dir/nginx/temp/scgi;
    upstream jiuye {
        server 127.0.0.1:$app1 max_fails=3 fail_timeout=10s;
        server 127.0.0.1:$app2 max_fails=3 fail_timeout=10s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$balancer;
        client_max_body_size 210m;
        proxy_read_timeout 600s;
        location / {
            proxy_pass http://jiuye;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_request_buffering off;
        }
    }
}
EOF
  nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
  check "$dir"
  echo "serving: http://127.0.0.1:$balancer/ (admin / jiuye2022; staff<院校代码> for each institution)"
  echo "stop with: scripts/scale-out.sh stop $dir"
}

# Through the balancer: both servers answer, a login made through one is valid on the other,
# and the dashboard reads the replica.
check() {
  local dir="$1" jar="$1/cookies.txt" csrf
  curl -fs -c "$jar" -b "$jar" -o /dev/null "http://127.0.0.1:$balancer/login"
  csrf=$(awk '$6 == "jiuye_csrf" {print $7}' "$jar")
  curl -fs -c "$jar" -b "$jar" -o /dev/null --data "username=admin&password=jiuye2022&_csrf=$csrf" \
    "http://127.0.0.1:$balancer/login"
  for port in $app1 $app2; do
    curl -fs -b "$jar" -o /dev/null "http://127.0.0.1:$port/outcomes/dashboard" \
      || { echo "the login through the balancer is not valid on :$port" >&2; exit 1; }
  done
  echo "checked: a login through the balancer is valid on both servers"
  "$(pg_bin)/psql" -At -h 127.0.0.1 -p "$replica" -U postgres -d jiuye \
    -c "SELECT 'replica: in recovery ' || pg_is_in_recovery() || ', graduates ' || COUNT(*) FROM graduates"
  # The servers sample the replica's lag every second; the dashboard says when it reads the replica.
  local read=""
  for _ in $(seq 30); do
    if curl -fs -b "$jar" "http://127.0.0.1:$balancer/outcomes/dashboard" | grep -q 'id="replica-lag"'; then
      read=yes && break
    fi
    sleep 0.5
  done
  [ -n "$read" ] || { echo "the dashboard does not read the replica" >&2; exit 1; }
  echo "checked: the dashboard reads the replica"
}

stop() {
  local dir="$1" pg
  pg="$(pg_bin)"
  [ ! -f "$dir/nginx/nginx.pid" ] || nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -s stop || true
  for n in 1 2; do [ ! -f "$dir/app$n.pid" ] || kill "$(cat "$dir/app$n.pid")" 2>/dev/null || true; done
  [ ! -d "$dir/replica" ] || scripts/replica.sh stop "$dir/replica" || true
  [ ! -d "$dir/primary" ] || as_pg "$pg/pg_ctl" -D "$dir/primary" -m fast stop || true
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "${2:?DIR}" ;;
  check) check "${2:?DIR}" ;;
  *) sed -n 7,8p "$0" >&2; exit 2 ;;
esac
