#!/usr/bin/env bash
# The web client's checks, run by bin/test after the server's: generated types up to date,
# strict type check, production build, unit tests, then the browser tests against the real
# server in production mode (e2e/stack.py). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

if ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "Node.js/npm is missing: the web client cannot be tested" >&2
    exit 1
  fi
  echo "== web client: skipped (Node.js not found; install Node 20 to test frontend-client/)"
  exit 0
fi
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "Chromium is missing at $CHROMIUM: apt-get install -y chromium (or set CHROMIUM_PATH)" >&2
  exit 1
fi

step() { echo "== web client: $1 ($((SECONDS - started))s)"; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
step "codegen check"
npm run --silent codegen:check
step "type check"
npm run --silent typecheck
step "build"
npx vite build --logLevel warn
step "unit tests"
npx vitest run
step "browser tests"
(cd .. && uv run python frontend-client/e2e/stack.py -- npx playwright test)
step "done"
