#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on 127.0.0.1, then remove it.
#   scripts/with-postgres.sh pytest ...
# Exports TENANTREE_TEST_POSTGRES_URL for the command. Needs the server
# binaries (Debian: postgresql); runs the server as an unprivileged user when
# started as root, since PostgreSQL refuses to run as root.
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

PG_CTL=$(find_bin pg_ctl)
INITDB=$(find_bin initdb)
if [ -z "$PG_CTL" ] || [ -z "$INITDB" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 3
fi

PGDIR=$(mktemp -d /tmp/tenantree-pg.XXXXXX)
PORT=${TENANTREE_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  id tenantree-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin tenantree-pg
  chown tenantree-pg "$PGDIR"
  RUN_AS=(runuser -u tenantree-pg --)
fi

cleanup() {
  "${RUN_AS[@]}" "$PG_CTL" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$INITDB" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${RUN_AS[@]}" "$PG_CTL" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null

export TENANTREE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: throwaway cluster on 127.0.0.1:$PORT" >&2
set +e
"$@"
status=$?
set -e
exit $status
