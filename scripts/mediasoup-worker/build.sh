#!/usr/bin/env bash
# Offline build of mediasoup-worker from the C++ sources shipped in the mediasoup
# npm package, against Debian 12 system libraries (libuv, OpenSSL, libsrtp2,
# abseil, flatbuffers). Needs no meson/ninja/pip/GitHub: only g++, make, patch,
# pkg-config, flatc and the -dev packages listed in README.md.
#
# Usage: scripts/mediasoup-worker/build.sh [MEDIASOUP_PKG_DIR]
#   MEDIASOUP_PKG_DIR       mediasoup package dir (default: resolved from the repo)
#   MEDIASOUP_WORKER_CACHE  cache root (default: $XDG_CACHE_HOME/live-casino/mediasoup-worker)
#   MEDIASOUP_WORKER_JOBS   make -j value (default: nproc)
#   MEDIASOUP_WORKER_KEEP_BUILD=1  keep the scratch build dir (for debugging)
#
# Prints the absolute path of the binary as the LAST line of stdout; everything
# else goes to stderr. Typical use:
#   export MEDIASOUP_WORKER_BIN="$(scripts/mediasoup-worker/build.sh | tail -n1)"
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2; exit 1; }

TMP_DIRS=()
cleanup() {
	local d
	for d in "${TMP_DIRS[@]+"${TMP_DIRS[@]}"}"; do
		[[ -n "$d" && -d "$d" ]] && rm -rf -- "$d"
	done
	return 0
}
trap cleanup EXIT

# --- 1. locate the mediasoup package -----------------------------------------

resolve_installed_pkg() {
	# mediasoup's "exports" map does not expose ./package.json, so
	# require.resolve('mediasoup/package.json') throws; fall back to resolving
	# the main entry and walking up to the package root.
	node -e '
		const path = require("path"), fs = require("fs");
		const { createRequire } = require("module");
		const root = process.argv[1];
		const req = createRequire(path.join(root, "sfu", "package.json"));
		let d;
		try { d = path.dirname(req.resolve("mediasoup/package.json")); }
		catch {
			try { d = path.dirname(req.resolve("mediasoup")); } catch { process.exit(1); }
		}
		for (;;) {
			const pj = path.join(d, "package.json");
			if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === "mediasoup") {
				console.log(d); process.exit(0);
			}
			const up = path.dirname(d);
			if (up === d) process.exit(1);
			d = up;
		}
	' "$REPO_ROOT" 2>/dev/null
}

wanted_version() {
	# Prefer the exact version pinned in package-lock.json, else the range in
	# sfu/package.json with its ^/~ prefix stripped.
	node -e '
		const fs = require("fs"), path = require("path");
		const root = process.argv[1];
		try {
			const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
			const v = lock.packages && lock.packages["node_modules/mediasoup"] && lock.packages["node_modules/mediasoup"].version;
			if (v) { console.log(v); process.exit(0); }
		} catch {}
		const spec = JSON.parse(fs.readFileSync(path.join(root, "sfu", "package.json"), "utf8")).dependencies.mediasoup;
		if (!spec) process.exit(1);
		console.log(spec.replace(/^[\^~=v]+/, ""));
	' "$REPO_ROOT"
}

PKG_DIR="${1:-${MEDIASOUP_PKG_DIR:-}}"
if [[ -z "$PKG_DIR" ]]; then
	PKG_DIR="$(resolve_installed_pkg || true)"
fi
if [[ -z "$PKG_DIR" ]]; then
	ver="$(wanted_version)" || die "cannot determine the mediasoup version from sfu/package.json"
	log "mediasoup not installed; fetching mediasoup@$ver with npm pack"
	pack_dir="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-pack.XXXXXX")"
	TMP_DIRS+=("$pack_dir")
	(cd "$pack_dir" && npm pack --silent "mediasoup@$ver" >&2)
	tgz="$(ls "$pack_dir"/mediasoup-*.tgz | head -n1)"
	tar -xzf "$tgz" -C "$pack_dir"
	PKG_DIR="$pack_dir/package"
fi
PKG_DIR="$(cd "$PKG_DIR" && pwd)"
[[ -f "$PKG_DIR/package.json" && -f "$PKG_DIR/worker/meson.build" ]] ||
	die "$PKG_DIR does not look like a mediasoup package (missing worker/meson.build)"

VERSION="$(node -p 'require(process.argv[1]).version' "$PKG_DIR/package.json")"
[[ -n "$VERSION" ]] || die "cannot read version from $PKG_DIR/package.json"

# --- 2. cache ------------------------------------------------------------------

CACHE_ROOT="${MEDIASOUP_WORKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/live-casino/mediasoup-worker}"
CACHE_DIR="$CACHE_ROOT/$VERSION"
BIN="$CACHE_DIR/mediasoup-worker"

if [[ -x "$BIN" ]]; then
	log "using cached $BIN"
	echo "$BIN"
	exit 0
fi

mkdir -p "$CACHE_DIR"
CACHE_DIR="$(cd "$CACHE_DIR" && pwd)"
BIN="$CACHE_DIR/mediasoup-worker"

# Serialize concurrent builds of the same version; the second one reuses the
# first one's result.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$CACHE_DIR/.build.lock"
	flock 9
	if [[ -x "$BIN" ]]; then
		log "using cached $BIN (built concurrently)"
		echo "$BIN"
		exit 0
	fi
fi

# --- 3. preflight ---------------------------------------------------------------

missing=()
for tool in g++ make patch pkg-config flatc node; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
for pc in libuv libssl libcrypto libsrtp2 flatbuffers absl_strings absl_optional; do
	pkg-config --exists "$pc" 2>/dev/null || missing+=("pkg-config:$pc")
done
if ((${#missing[@]})); then
	die "missing: ${missing[*]} (apt-get install g++ make patch pkg-config libuv1-dev libssl-dev libsrtp2-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler)"
fi

# --- 4. scratch copy of the sources + patches ------------------------------------

BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
if [[ "${MEDIASOUP_WORKER_KEEP_BUILD:-0}" == 1 ]]; then
	log "keeping build dir $BUILD_DIR"
else
	TMP_DIRS+=("$BUILD_DIR")
fi
WORKER="$BUILD_DIR/worker"
OUT="$BUILD_DIR/out"
mkdir -p "$WORKER" "$OUT"

log "mediasoup $VERSION from $PKG_DIR"
log "build dir $BUILD_DIR"

# Never touch node_modules: copy what we compile and patch the copy.
for d in src include fbs deps; do
	cp -R "$PKG_DIR/worker/$d" "$WORKER/"
done
cp "$PKG_DIR/worker/meson.build" "$WORKER/"
chmod -R u+w "$WORKER"

for p in "$SCRIPT_DIR"/patches/*.patch; do
	log "applying $(basename "$p")"
	patch -d "$WORKER" -p1 --forward --batch --silent <"$p" >&2 ||
		die "patch $(basename "$p") does not apply to mediasoup $VERSION; update scripts/mediasoup-worker/patches/"
done

# --- 5. source lists from the meson files -----------------------------------------

# Prints the quoted items of `<var> = [ ... ]` and `<var> += [ ... ]` blocks.
meson_list() {
	awk -v var="$2" '
		$0 ~ "^[[:space:]]*" var "[[:space:]]*[+]?=[[:space:]]*\\[" { inb = 1; next }
		inb && /^[[:space:]]*\]/ { inb = 0; next }
		inb {
			line = $0
			sub(/#.*/, "", line)
			while (match(line, /\x27[^\x27]+\x27/)) {
				print substr(line, RSTART + 1, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
		}
	' "$1"
}

# worker/meson.build: common_sources (incl. the `+=` block for the libwebrtc
# BWE, which is what the default ms_use_builtin_bwe=false selects) + main.cpp.
mapfile -t worker_srcs < <(meson_list "$WORKER/meson.build" common_sources)
worker_srcs+=("src/main.cpp")
mapfile -t webrtc_srcs < <(meson_list "$WORKER/deps/libwebrtc/meson.build" libwebrtc_sources | sed 's#^#deps/libwebrtc/#')
mapfile -t fbs_schemas < <(meson_list "$WORKER/fbs/meson.build" flatbuffers_schemas)

((${#worker_srcs[@]} > 100)) || die "parsed only ${#worker_srcs[@]} worker sources from meson.build"
((${#webrtc_srcs[@]} > 10)) || die "parsed only ${#webrtc_srcs[@]} libwebrtc sources"
((${#fbs_schemas[@]} > 10)) || die "parsed only ${#fbs_schemas[@]} fbs schemas"
for f in "${worker_srcs[@]}" "${webrtc_srcs[@]}"; do
	[[ -f "$WORKER/$f" ]] || die "source listed in meson.build not found: $f"
done
log "${#worker_srcs[@]} worker + ${#webrtc_srcs[@]} libwebrtc sources, ${#fbs_schemas[@]} schemas"

{
	echo "WORKER_SRCS := ${worker_srcs[*]}"
	echo "WEBRTC_SRCS := ${webrtc_srcs[*]}"
	echo "FBS_SCHEMAS := ${fbs_schemas[*]}"
} >"$OUT/sources.mk"

# --- 6. build --------------------------------------------------------------------

JOBS="${MEDIASOUP_WORKER_JOBS:-$(nproc 2>/dev/null || echo 2)}"
log "make -j$JOBS (this takes a few minutes)"
start=$SECONDS
make -C "$BUILD_DIR" -f "$SCRIPT_DIR/Makefile" -j"$JOBS" \
	WORKER="$WORKER" OUT="$OUT" SHIMS="$SCRIPT_DIR/shims/include" >&2 ||
	die "build failed (re-run with MEDIASOUP_WORKER_KEEP_BUILD=1 to inspect $BUILD_DIR)"
log "compiled in $((SECONDS - start)) s"

built="$OUT/mediasoup-worker"
[[ -x "$built" ]] || die "make succeeded but $built is missing"
if ldd "$built" | grep -q 'not found'; then
	ldd "$built" >&2
	die "built binary has unresolved shared libraries"
fi

# --- 7. atomic install into the cache --------------------------------------------

tmp_bin="$CACHE_DIR/.mediasoup-worker.tmp.$$"
cp "$built" "$tmp_bin"
chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$BIN"
log "installed $BIN ($(du -h "$BIN" | cut -f1))"
echo "$BIN"
