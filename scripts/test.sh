#!/usr/bin/env bash
# npm test: type check, lint, then every test file of every package.
# node --test on Node 20 does not expand globs and passes with no files, so the list is built
# here and must not be empty.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

npm run --silent typecheck
npm run --silent lint

# The crash and fuzz suites at the size npm test can afford (about 20 s and 15 s here);
# npm run test:crash and npm run test:fuzz run them full size (docs/security.md).
export COFFER_CRASH_ROUNDS="${COFFER_CRASH_ROUNDS:-3}"
export COFFER_FUZZ_RUNS="${COFFER_FUZZ_RUNS:-1000}"

files=(packages/*/src/**/*.test.ts packages/*/test/**/*.test.ts)
if [ ${#files[@]} -eq 0 ]; then
  echo "scripts/test.sh: no test files found" >&2
  exit 1
fi
echo "Running ${#files[@]} test files"
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
