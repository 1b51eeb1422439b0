#!/usr/bin/env bash
# `make test-pgbouncer`: the tests that run several instances on one database, once more through
# PgBouncer in transaction mode (what docs/scaling.md recommends past ~100 connections). Installs
# Debian's pgbouncer when missing (without starting its system service), writes a config in a temp
# folder, starts it on a free port in front of the PostgreSQL server of DATABASE_URL, and runs the
# specs with DATABASE_URL pointing at it (the test databases are created through it, on the real
# server). Prints mocha's "N passing / N failing" like `make test`, so .ci/run can add them up.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?DATABASE_URL must name a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres)}"
SPECS="${PGBOUNCER_SPECS:-test/scale/*.spec.ts test/api/orders/customer-limits.spec.ts}"

PGBOUNCER="$(command -v pgbouncer || true)"
[ -z "$PGBOUNCER" ] && [ -x /usr/sbin/pgbouncer ] && PGBOUNCER=/usr/sbin/pgbouncer
if [ -z "$PGBOUNCER" ]; then
  echo "pgbouncer is missing: installing Debian's package (its system service is not started)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # policy-rc.d answering 101 keeps the package's postinst from starting the system pgbouncer.
  POLICY_ADDED=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && POLICY_ADDED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null; }
  [ -n "$POLICY_ADDED" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  PGBOUNCER=/usr/sbin/pgbouncer
fi

# Where the real server is, from DATABASE_URL (postgres://user[:password]@host[:port]/db).
read -r PG_USER PG_PASSWORD PG_HOST PG_PORT < <(node -e '
  const u = new URL(process.argv[1]);
  console.log([decodeURIComponent(u.username || "postgres"), decodeURIComponent(u.password) || "-", u.hostname || "127.0.0.1", u.port || "5432"].join(" "));
' "$DATABASE_URL")
PORT="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"

DIR="$(mktemp -d)"
chmod 755 "$DIR"
cleanup() {
  [ -f "$DIR/pgbouncer.pid" ] && kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

AUTH="auth_type = trust"
if [ "$PG_PASSWORD" != "-" ]; then
  printf '"%s" "%s"\n' "$PG_USER" "$PG_PASSWORD" > "$DIR/userlist.txt"
  AUTH="auth_type = md5"
else
  printf '"%s" ""\n' "$PG_USER" > "$DIR/userlist.txt"
fi
# The settings docs/scaling.md gives. Transaction pooling: a server connection belongs to a client
# for one transaction only. The service's per-connection settings (statement_timeout,
# idle_in_transaction_session_timeout, sent as startup parameters) cannot pass PgBouncer: it drops
# them and sets them on every server connection instead (connect_query).
cat > "$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=$PG_HOST port=$PG_PORT connect_query='SET statement_timeout = 15000; SET idle_in_transaction_session_timeout = 60000'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
$AUTH
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
max_db_connections = 40
ignore_startup_parameters = extra_float_digits,statement_timeout,idle_in_transaction_session_timeout
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
admin_users = $PG_USER
EOF
chmod 644 "$DIR"/*

# PgBouncer refuses to run as root: run it as the postgres user then (it writes its log and pid here).
AS_USER=()
if [ "$(id -u)" -eq 0 ]; then AS_USER=(-u postgres); chown postgres "$DIR"; fi
"$PGBOUNCER" -d "${AS_USER[@]}" "$DIR/pgbouncer.ini" || { cat "$DIR/pgbouncer.log" 2>/dev/null; exit 1; }
for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null && break; sleep 0.1; done
pg_isready -h 127.0.0.1 -p "$PORT" -q || { echo "PgBouncer did not start:"; cat "$DIR/pgbouncer.log" 2>/dev/null; exit 1; }
echo "PgBouncer $("$PGBOUNCER" --version | head -1 | awk '{print $2}') in transaction mode on 127.0.0.1:$PORT in front of $PG_HOST:$PG_PORT"

BOUNCED_URL="$(node -e 'const u = new URL(process.argv[1]); u.hostname = "127.0.0.1"; u.port = process.argv[2]; console.log(u.toString());' "$DATABASE_URL" "$PORT")"
# shellcheck disable=SC2086
DATABASE_URL="$BOUNCED_URL" npx mocha --no-config --require tsx/cjs --require test/support/hooks.ts \
  --require test/support/contract-observer.ts --timeout 30000 --exit $SPECS
