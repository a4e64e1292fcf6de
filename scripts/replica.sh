#!/usr/bin/env bash
# Makes and starts a PostgreSQL streaming replica (只读副本) of the platform's
# primary with PostgreSQL's own tools: pg_basebackup copies the primary and
# writes the standby settings (-R), then the copy starts as a hot standby that
# follows the primary's write-ahead log. Loopback only, as documented in
# docs/replica.md; point `jiuye serve --replica-url` at the port it prints.
#
#   scripts/replica.sh PRIMARY_PORT REPLICA_DIR REPLICA_PORT [PRIMARY_HOST]
#   scripts/replica.sh stop REPLICA_DIR
#
# The primary must accept replication connections from this host (pg_hba.conf:
# `host replication <user> 127.0.0.1/32 ...`; initdb's trust default has it)
# and keep wal_level at replica or above (PostgreSQL's default). Run as root it
# acts as the postgres user; PGUSER (default postgres) names the role it connects as.
set -euo pipefail
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN="${PG_BIN:-$(pg_bin)}"
[ -x "$BIN/pg_basebackup" ] || { echo "PostgreSQL's tools not found (set PG_BIN)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  as_pg "$BIN/pg_ctl" -D "$2" -m fast stop
  exit 0
fi
[ $# -ge 3 ] || { sed -n 8,9p "$0" >&2; exit 2; }
primary_port="$1" dir="$2" port="$3" host="${4:-127.0.0.1}"
[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || { echo "$dir is not empty" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"
[ "$(id -u)" != 0 ] || chown postgres "$dir"
echo "copying the primary at $host:$primary_port into $dir ..."
as_pg "$BIN/pg_basebackup" -h "$host" -p "$primary_port" -U "${PGUSER:-postgres}" -D "$dir" -R -X stream -c fast -P
# The copy carries the primary's settings; the standby listens on its own port, on loopback only.
as_pg "$BIN/pg_ctl" -D "$dir" -l "$dir/replica.log" -w start \
  -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c hot_standby=on"
echo "replica streaming from $host:$primary_port, serving reads on 127.0.0.1:$port"
echo "  jiuye serve --database-url postgres://...@$host:$primary_port/DB --replica-url postgres://...@127.0.0.1:$port/DB"
