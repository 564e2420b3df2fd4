#!/usr/bin/env bash
# Sets everything up, then runs every test: lint, types, unit and integration (vitest: real
# mediasoup, real ffmpeg), end to end (Playwright with Debian's Chromium against the platform).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker/build.sh | tail -n 1)"
export MEDIASOUP_WORKER_BIN

npx biome check .
npm run typecheck
npm run depcheck
npx vitest run
npx playwright test
