#!/usr/bin/env bash
# Set everything up, then run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Headless Chromium lets the documentation page test run; without it that test is skipped.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (timeout 600 apt-get update -qq && timeout 600 apt-get install -y -qq chromium) >/dev/null 2>&1 \
        || echo "Chromium could not be installed; the documentation page test will be skipped."
fi

exec .venv/bin/python -m pytest "$@"
