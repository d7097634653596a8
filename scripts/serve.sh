#!/usr/bin/env bash
# Set everything up, then serve the API (port $PORT, default 8080). Extra arguments go to `pension-engine serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/pension-engine serve "$@"
