#!/usr/bin/env bash
# npm test: type check, lint, then every test file of every package.
# node --test on Node 20 does not expand globs and passes with no files, so the list is built
# here and must not be empty.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

npm run --silent typecheck
npm run --silent lint
# The browser tests (packages/web/e2e) drive the server's real UI: build it first, always, so
# they never test a stale build.
npm run --silent build -w @coffer/web -- --logLevel=warn

files=(packages/*/src/**/*.test.ts packages/*/test/**/*.test.ts deploy/test/**/*.test.ts packages/web/e2e/**/*.test.ts)
if [ ${#files[@]} -eq 0 ]; then
  echo "scripts/test.sh: no test files found" >&2
  exit 1
fi
echo "Running ${#files[@]} test files"
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
