#!/usr/bin/env bash
# Quick gate before a commit: the same lint and type checks CI runs first.
set -euo pipefail
cd "$(dirname "$0")/.."
npx biome check .
npm run typecheck
