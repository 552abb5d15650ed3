#!/usr/bin/env bash
# Run every benchmark and write BENCHMARKS.md:  bench/run.sh [--quick] [python -m bench options]
# Starts a throwaway PostgreSQL on 127.0.0.1 (scripts/with-postgres.sh) unless
# TENANTREE_TEST_POSTGRES_URL is set or the server binaries are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if [ -n "${TENANTREE_TEST_POSTGRES_URL:-}" ]; then
  exec "$PY" -m bench "$@"
fi
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1; then
  export PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  exec scripts/with-postgres.sh "$PY" -m bench "$@"
fi
echo "bench: no PostgreSQL server binaries; running the SQLite and in-process parts only" >&2
exec "$PY" -m bench "$@"
