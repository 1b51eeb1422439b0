#!/usr/bin/env bash
# The operator's first run, as CI checks it (issue 13): a fresh clone in a private (0700) folder,
# run by this user (root in CI), with NODE_ENV=production and no DATABASE_URL/REDIS_URL.
#  1. `make start` installs, builds and serves on the embedded PostgreSQL, printing a setup link;
#  2. the link's code creates the first admin, who signs in; the console and docs answer;
#  3. SIGTERM stops the service and its PostgreSQL cleanly;
#  4. `make test` runs the whole suite there too (on a throw-away embedded PostgreSQL).
set -uo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
chmod 700 "$WORK"
START_PID=""
cleanup() {
  [ -n "$START_PID" ] && kill -TERM -- "-$START_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "first run: FAILED: $*"; [ -f "$WORK/start.log" ] && tail -30 "$WORK/start.log"; exit 1; }

git clone --quiet "$SRC" "$WORK/quickstock" || fail "git clone"
cd "$WORK/quickstock" || fail "cd"
help="$(make --no-print-directory help)" || fail "make help"
for target in start test lint generate migrate bench; do
  grep -q "make $target " <<<"$help" || fail "make help does not list $target"
done
export NODE_ENV=production
unset DATABASE_URL REDIS_URL
PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
echo "first run: make start in $WORK/quickstock (private folder), NODE_ENV=production, PORT=$PORT"

# Its own process group, so that SIGTERM reaches make and the service as a terminal's Ctrl+C would.
PORT="$PORT" setsid make start > "$WORK/start.log" 2>&1 &
START_PID=$!
# Not on a terminal, the setup link goes to a 0600 file under DATA_DIR; the log names the file only.
linkfile=""
for _ in $(seq 1 600); do
  linkfile="$(grep -o '"setupLinkFile":"[^"]*"' "$WORK/start.log" | head -1 | sed 's/^"setupLinkFile":"//; s/"$//')"
  [ -n "$linkfile" ] && break
  kill -0 "$START_PID" 2>/dev/null || fail "make start exited before writing a setup link"
  sleep 1
done
[ -n "$linkfile" ] || fail "no setup link written within 10 minutes"
[ "$(stat -c %a "$linkfile")" = 600 ] || fail "the setup link file $linkfile is not mode 0600"
link="$(head -1 "$linkfile")"
[[ "$link" =~ ^http://localhost:[0-9]+/console/setup#code=[A-Za-z0-9_-]+$ ]] || fail "the setup link file holds no link: $link"
grep -qF "${link#*#code=}" "$WORK/start.log" && fail "the setup code was written to the log"
echo "first run: the setup link is in $linkfile"
grep -q '"level":' "$WORK/start.log" || fail "logs are not JSON lines when stdout is not a terminal"

base="http://127.0.0.1:$PORT"
code="${link#*#code=}"
status=$(curl -s -o "$WORK/admin.json" -w '%{http_code}' -H 'content-type: application/json' \
  -d "{\"code\":\"$code\",\"email\":\"titolare@cartoleria.test\",\"name\":\"Marco Rossi\",\"password\":\"una password lunga e sicura\"}" \
  "$base/api/v1/setup/first-admin")
[ "$status" = 201 ] || fail "creating the first admin answered $status: $(cat "$WORK/admin.json")"
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d '{"email":"titolare@cartoleria.test","password":"una password lunga e sicura"}' "$base/api/v1/auth/login")
[ "$status" = 200 ] || fail "the first admin cannot sign in ($status)"
for path in /console /docs/ /openapi.json /health/ready; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  [ "$status" = 200 ] || fail "GET $path answered $status"
done
status=$(curl -s -o /dev/null -w '%{http_code}' "$base/console/setup")
[ "$status" = 404 ] || fail "the setup page is still open after the first admin ($status)"
echo "first run: the first admin was created from the link and signed in"

pgdata="$(readlink -f data/pg)"
kill -TERM -- "-$START_PID"
for _ in $(seq 1 30); do kill -0 "$START_PID" 2>/dev/null || break; sleep 1; done
kill -0 "$START_PID" 2>/dev/null && fail "the service did not stop within 30 s of SIGTERM"
START_PID=""
[ -f "$pgdata/postmaster.pid" ] && fail "the embedded PostgreSQL was left running after SIGTERM"
echo "first run: stopped cleanly on SIGTERM (data in $pgdata)"
[ "$pgdata" != "$WORK/quickstock/data/pg" ] && rm -rf "$pgdata"

echo "first run: make test in the private folder with NODE_ENV=production (embedded PostgreSQL)"
make test
