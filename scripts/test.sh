#!/usr/bin/env bash
# Install everything the test suite needs into .venv (from scratch on a fresh machine), then run
# the linters and the tests. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
