#!/usr/bin/env bash
# Sets everything up, then runs the whole platform on the embedded default until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm run platform
