#!/usr/bin/env bash
# Sets everything up, then runs every test: lint, types, module boundaries, the vitest tiers
# (unit; integration: real Postgres, Redis, mediasoup, ffmpeg; acceptance: the long live-vision and
# attack runs, alone after the others so nothing competes with them for CPU), end to end
# (Playwright with Debian's Chromium against the platform).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker/build.sh | tail -n 1)"
export MEDIASOUP_WORKER_BIN

npx biome check .
npm run typecheck
npm run depcheck
npx vitest run --project unit --project integration
npx vitest run --project acceptance
npx playwright test
