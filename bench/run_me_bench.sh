#!/usr/bin/env bash
# One command: the tokens/GraphQL load benchmark (see run_me_bench.py for the knobs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m uv sync --frozen
fi
exec .venv/bin/python bench/run_me_bench.py "$@"
