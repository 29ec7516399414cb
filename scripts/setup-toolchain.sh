#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building a Rust-enabled kernel and its out-of-tree modules
# needs on a Debian-family machine. Idempotent: a second run changes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

changed=0
APT_PACKAGES=(clang-19 lld-19 llvm-19 libclang-19-dev libelf-dev libdw-dev flex bison bc
	libssl-dev cpio qemu-system-x86 busybox-static kmod dosfstools sg3-utils mtools xz-utils
	zstd rsync python3 python3-venv debootstrap)

# shellcheck disable=SC2207
missing=($(apt_missing "${APT_PACKAGES[@]}"))
if [ ${#missing[@]} -gt 0 ]; then
	log "apt: installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update >&2 || die "apt-get update failed" "check the network and /etc/apt/sources.list.d"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install failed" "install these packages by hand: ${missing[*]}"
	changed=1
else
	log "apt packages: all present"
fi

# bindgen-cli >= 0.71.1 (the kernel's minimum).
bindgen_ok() {
	command -v bindgen >/dev/null || return 1
	local v
	v=$(bindgen --version | awk '{print $2}')
	[ "$(printf '%s\n0.71.1\n' "$v" | sort -V | head -1)" = 0.71.1 ]
}
if bindgen_ok; then
	log "bindgen: $(bindgen --version) present"
else
	log "cargo: installing bindgen-cli (about a minute)"
	LIBCLANG_PATH=/usr/lib/llvm-19/lib cargo install --locked bindgen-cli >&2 ||
		die "cargo install bindgen-cli failed" "check that crates.io is reachable, then re-run $0"
	changed=1
fi

# Rust library sources matching rustc exactly.
src=$(rust_lib_src)
if [ -f "$src/core/src/lib.rs" ]; then
	log "rust library sources: $src"
else
	ver=$(rustc_version)
	log "rust-src: rustc $ver has no rust-src component; fetching Debian's rust-src $ver"
	dl="$CACHE_ROOT/downloads"
	mkdir -p "$dl"
	pkgver=$(private_apt trixie-backports apt-cache madison rust-src 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
		grep -E "^${ver//./\\.}\+dfsg[0-9]*-" | head -1 || true)
	if [ -z "$pkgver" ]; then
		pkgver=$(private_apt trixie apt-cache madison rust-src 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
			grep -E "^${ver//./\\.}\+dfsg[0-9]*-" | head -1 || true)
		suite=trixie
	else
		suite=trixie-backports
	fi
	[ -n "$pkgver" ] || die "Debian has no rust-src for rustc $ver" \
		"install the rust-src component (rustup component add rust-src) or set RUST_LIB_SRC to the library sources of rustc $ver"
	(cd "$dl" && private_apt "$suite" apt-get -q download "rust-src=$pkgver" >&2) ||
		die "downloading rust-src $pkgver failed" "check the network, then re-run $0"
	dest="$CACHE_ROOT/rust-src-$ver"
	rm -rf "$dest.tmp"
	dpkg-deb -x "$dl"/rust-src_"${pkgver//:/%3a}"_all.deb "$dest.tmp"
	mv "$dest.tmp" "$dest"
	[ -f "$(rust_lib_src)/core/src/lib.rs" ] || die "rust-src unpacked but $(rust_lib_src) has no core library" "remove $dest and re-run $0"
	log "rust library sources: $(rust_lib_src)"
	changed=1
fi

if [ $changed = 0 ]; then
	log "toolchain: nothing to do, everything already in place"
else
	log "toolchain: ready"
fi
