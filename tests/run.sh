#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine (tests/setup.sh), then runs
# them all. Usage: ./tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
./tests/setup.sh
exec .venv/bin/python -m pytest tests "$@"
