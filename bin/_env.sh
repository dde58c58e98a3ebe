# Shared by bin/dev and bin/test: make sure uv is there and the environment is in sync.
# uv reads .python-version (3.12); interpreters are never downloaded, only found.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export UV_PYTHON_DOWNLOADS=never
if uv --version >/dev/null 2>&1; then
  UV=(command uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "installing uv…" >&2
    python3 -m pip install --quiet --disable-pip-version-check uv
  fi
  UV=(python3 -m uv)
fi
uv() { "${UV[@]}" "$@"; }
uv sync --frozen --quiet
