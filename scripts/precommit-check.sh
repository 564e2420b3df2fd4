#!/usr/bin/env bash
# Quick gate before a commit: the same lint, type and boundary checks CI runs first.
set -euo pipefail
cd "$(dirname "$0")/.."
npx biome check .
npm run typecheck
npm run depcheck
