#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server from Debian's package:
#   scripts/with-postgres.sh CMD [ARGS...]
# The server listens on 127.0.0.1 only, on a free port, with its data in a temporary folder that
# is removed afterwards. EOFFICE_TEST_DATABASE_URL points the test suite at it.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
R=$(mktemp -d /tmp/eoffice-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$R/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$R"
}
trap cleanup EXIT
mkdir -p "$R/sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$R"; fi
as_pg "$PGBIN/initdb" -D "$R/data" -U eoffice -A trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$R/data" -l "$R/server.log" -w -t 30 start \
  -o "-p $PORT -k $R/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U eoffice eoffice_test
export EOFFICE_TEST_DATABASE_URL="postgresql+psycopg://eoffice@127.0.0.1:$PORT/eoffice_test"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
