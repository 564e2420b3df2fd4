#!/usr/bin/env bash
# One-time (and idempotent) set-up on a Debian/Ubuntu machine: system packages, npm packages,
# the mediasoup worker built from the sources in its npm package, and a build of every workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # mediasoup-worker, built from the C++ sources shipped in the mediasoup npm package
  g++ make patch python3 libuv1-dev libssl-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler
  # the studio simulator's encoder and the sfu's HLS packager
  ffmpeg
  # browser tests and benchmarks
  chromium fonts-dejavu-core
  # real card deck artwork (SVG) for the vision training renderer
  kdegames-card-data-kf5
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# mediasoup's own postinstall downloads a prebuilt worker or pip-installs meson: neither works
# offline, so package.json denies it (allowScripts) and the worker is built here instead.
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker/build.sh | tail -n 1)"
export MEDIASOUP_WORKER_BIN
echo "setup: mediasoup-worker at $MEDIASOUP_WORKER_BIN" >&2

npm run build
