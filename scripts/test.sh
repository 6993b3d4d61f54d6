#!/usr/bin/env bash
# npm test: type check, lint, then every test file of every package; then the store and API suites
# once more on PostgreSQL (securestore).
# node --test on Node 20 does not expand globs and passes with no files, so the lists are built
# here and must not be empty.
#
# Which files run where:
#   *.pg.test.ts                           PostgreSQL only (several replicas, migrations under a lock)
#   files that call startTestEnv( or createTestStore(   both backends, unless they say `coffer-test: sqlite-only`
#   every other *.test.ts                  once (unit tests, file-store and process tests)
# PostgreSQL: SECRET_MANAGER_TEST_DATABASE_URL if set (a database per test env is made on it),
# otherwise ONE throw-away server from /usr/lib/postgresql/15/bin for the whole run, removed at exit.
# With CI=true or COFFER_REQUIRE_POSTGRES=1 a missing PostgreSQL fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

npm run --silent typecheck
npm run --silent lint
# The browser tests (packages/web/e2e) drive the server's real UI: build it first, always, so
# they never test a stale build.
npm run --silent build -w @coffer/web -- --logLevel=warn

# The crash and fuzz suites at the size npm test can afford (about 20 s and 15 s here);
# npm run test:crash and npm run test:fuzz run them full size (docs/security.md).
export COFFER_CRASH_ROUNDS="${COFFER_CRASH_ROUNDS:-3}"
export COFFER_FUZZ_RUNS="${COFFER_FUZZ_RUNS:-1000}"

all=(packages/*/src/**/*.test.ts packages/*/test/**/*.test.ts deploy/test/**/*.test.ts packages/web/e2e/**/*.test.ts)
if [ ${#all[@]} -eq 0 ]; then
  echo "scripts/test.sh: no test files found" >&2
  exit 1
fi
once=() both=() pg_only=()
for f in "${all[@]}"; do
  case "$f" in *.pg.test.ts) pg_only+=("$f"); continue ;; esac
  once+=("$f")
  if grep -qE 'startTestEnv\(|createTestStore\(' "$f" && ! grep -q 'coffer-test: sqlite-only' "$f"; then both+=("$f"); fi
done

require_pg=false
if [ "${CI:-}" = true ] || [ "${COFFER_REQUIRE_POSTGRES:-}" = 1 ]; then require_pg=true; fi
pg=true
if [ -n "${SECRET_MANAGER_TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL suites use SECRET_MANAGER_TEST_DATABASE_URL"
elif [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  started=$(node --import tsx packages/server/test/pg.ts start)
  export SECRET_MANAGER_TEST_DATABASE_URL="${started%%$'\t'*}" COFFER_TEST_PG_DATA_DIR="${started#*$'\t'}"
  trap 'node --import tsx packages/server/test/pg.ts stop "$COFFER_TEST_PG_DATA_DIR"' EXIT
  echo "Started a throw-away PostgreSQL for this run on ${SECRET_MANAGER_TEST_DATABASE_URL}"
elif $require_pg; then
  echo "scripts/test.sh: PostgreSQL is required here (CI) but /usr/lib/postgresql/15/bin/initdb is missing and SECRET_MANAGER_TEST_DATABASE_URL is unset; apt-get install postgresql" >&2
  exit 1
else
  pg=false
fi

run() { node --import tsx --test --test-concurrency=2 --test-reporter=spec "$@"; }
status=0
echo "== ${#once[@]} test files (store: SQLite, filebased)"
COFFER_TEST_BACKEND=sqlite run "${once[@]}" || status=1
if $pg; then
  echo "== ${#both[@]} store and API suites again, and ${#pg_only[@]} PostgreSQL-only files (store: PostgreSQL, securestore)"
  COFFER_TEST_BACKEND=postgres run "${both[@]}" "${pg_only[@]}" || status=1
else
  echo "WARNING: PostgreSQL is not installed: the ${#both[@]} store and API suites did NOT run on PostgreSQL, and ${#pg_only[@]} PostgreSQL-only files were skipped (apt-get install postgresql, or set SECRET_MANAGER_TEST_DATABASE_URL)" >&2
fi
exit $status
