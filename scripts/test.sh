#!/usr/bin/env bash
# Every check and test, as CI runs them. Called by `make test`.
# Database tests run on SQLite and, when the PostgreSQL server binaries are
# installed, on a throwaway PostgreSQL cluster too (required when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint"
$BIN/ruff check src tests
$BIN/ruff format --check src tests

echo "== commits only in the unit of work; adapters apart"
$BIN/pytest -q -p no:randomly tests/test_architecture.py

echo "== migrations match the models (SQLite)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TENANTREE_DATABASE_URL="sqlite:///$tmp/check.db" $BIN/tenantree db upgrade
TENANTREE_DATABASE_URL="sqlite:///$tmp/check.db" $BIN/tenantree db check

# --durations: the slowest tests in every run, to keep the suite short.
# worksteal: a worker that runs out of tests takes the other's last ones, so
# the run does not end on one worker finishing a queue of slow tests alone.
if scripts/with-postgres.sh true 2>/dev/null; then
  echo "== tests on SQLite and PostgreSQL"
  exec scripts/with-postgres.sh $BIN/pytest -n 2 --dist worksteal --durations=15 "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but its server binaries are missing" >&2
  exit 1
else
  echo "== tests on SQLite only (install postgresql to run them on PostgreSQL too)"
  exec $BIN/pytest -n 2 --dist worksteal --durations=15 "$@"
fi
