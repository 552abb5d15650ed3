#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on 127.0.0.1, then remove it.
#   scripts/with-postgres.sh pytest ...
# Exports TENANTREE_TEST_POSTGRES_URL for the command. Needs the server
# binaries (Debian: postgresql); runs the server as an unprivileged user when
# started as root, since PostgreSQL refuses to run as root.
# When Debian's pgbouncer is installed, also starts one on 127.0.0.1 in
# transaction mode in front of the cluster (any database name) and exports
# TENANTREE_TEST_PGBOUNCER_URL, its URL with ?pooling=transaction.
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

BOUNCER_PID=
cleanup() {
  if [ -n "$BOUNCER_PID" ]; then kill "$BOUNCER_PID" 2>/dev/null || true; wait "$BOUNCER_PID" 2>/dev/null || true; fi
  "${RUN_AS[@]}" "$PG_CTL" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
# A signal (timeout, Ctrl-C) must stop the cluster too: exit, and the EXIT trap runs.
trap "exit 143" TERM INT

"${RUN_AS[@]}" "$INITDB" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${RUN_AS[@]}" "$PG_CTL" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null

export TENANTREE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: throwaway cluster on 127.0.0.1:$PORT" >&2

PGBOUNCER=$(command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null || true)
if [ -n "$PGBOUNCER" ]; then
  BOUNCER_PORT=${TENANTREE_TEST_PGBOUNCER_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
  echo '"postgres" ""' > "$PGDIR/userlist.txt"
  cat > "$PGDIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGDIR/userlist.txt
pool_mode = transaction
default_pool_size = 40
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits,options
logfile = $PGDIR/pgbouncer.log
EOF
  if [ "$(id -u)" = "0" ]; then chown tenantree-pg "$PGDIR/userlist.txt" "$PGDIR/pgbouncer.ini"; fi
  "${RUN_AS[@]}" "$PGBOUNCER" -q "$PGDIR/pgbouncer.ini" &
  BOUNCER_PID=$!
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $BOUNCER_PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
  done
  export TENANTREE_TEST_PGBOUNCER_URL="postgresql+psycopg://postgres@127.0.0.1:$BOUNCER_PORT/postgres?pooling=transaction"
  echo "with-postgres: pgbouncer (transaction pooling) on 127.0.0.1:$BOUNCER_PORT" >&2
fi
set +e
"$@"
status=$?
set -e
exit $status
