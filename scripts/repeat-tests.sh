#!/usr/bin/env bash
# Runs the README's test command (`pnpm test`) N times in a row on one database and stops at the
# first failure: how the "green every time" promise is checked (docs/reliability.md).
#   scripts/repeat-tests.sh postgres 10   # DATABASE_URL, default the local server
#   scripts/repeat-tests.sh pglite 10     # no DATABASE_URL: embedded PGlite (no container runtime)
# Logs go to $LOG_DIR (default /tmp/fleetmedic-repeat); one line per run on stdout.
set -uo pipefail
db=${1:?usage: repeat-tests.sh postgres|pglite RUNS}; runs=${2:?usage: repeat-tests.sh postgres|pglite RUNS}
case "$db" in postgres|pglite) ;; *) echo "database: postgres or pglite, not $db" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
logs=${LOG_DIR:-/tmp/fleetmedic-repeat}; mkdir -p "$logs"
for i in $(seq 1 "$runs"); do
  log="$logs/$db-run$i.log"; start=$(date +%s)
  if [ "$db" = postgres ]; then
    DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} pnpm test >"$log" 2>&1; rc=$?
  else
    env -u DATABASE_URL pnpm test >"$log" 2>&1; rc=$?
  fi
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | tr -s ' ')
  echo "$db run $i of $runs: exit $rc in $(( $(date +%s) - start )) s,$tests ($log)"
  [ "$rc" -eq 0 ] || exit "$rc"
done
