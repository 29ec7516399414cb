#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/rust-probe.sh, the check DKMS runs before building (dkms.conf's
# PRE_BUILD) and make runs against any KDIR: against a view of the
# project's real kernel tree (its .config, scripts/, arch/ and rust/
# metadata), with one piece taken away or changed per test, it must say in
# exactly one line what is missing and how to get it, per distribution
# where the fix differs, exit 1, and pass the untouched tree.
# Usage: tests/host/dkms-probe-test.sh [KDIR]   (default: the cached kernel)
set -uo pipefail
REPORT_PREFIX=host::dkms-probe::
. "$(dirname "$0")/lib.sh"

probe=$root/scripts/rust-probe.sh
kdir=${1:-$("$root/scripts/kdir.sh" 2>/dev/null)}
[ -n "$kdir" ] && [ -f "$kdir/.config" ] && [ -f "$kdir/rust/libkernel.rmeta" ] ||
	{ echo "error: no built kernel tree with Rust metadata (${kdir:-none}): run 'make kernel' or pass KDIR" >&2; exit 1; }
release=$(cat "$kdir/include/config/kernel.release")
want_text=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config")
want_ver=$(awk '{print $2}' <<<"$want_text")
clang_major=$(($(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$kdir/.config") / 10000))

for os in debian ubuntu fedora; do
	printf 'ID=%s\n' "$os" >"$tmp/os-$os"
done
# Another rustc than the kernel's, as a second installed toolchain is.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "rustc 1.85.1 (4eb161250 2025-03-15)"\n' >"$tmp/bin/rustc-other"
chmod +x "$tmp/bin/rustc-other"

# A view of the tree whose pieces a test can remove or change: links to
# the real files, a copy of .config.
fresh_view() {
	local v=$tmp/view e
	rm -rf "$v"
	mkdir -p "$v/include/config" "$v/rust" "$v/scripts"
	cp "$kdir/.config" "$v/.config"
	cp "$kdir/include/config/kernel.release" "$v/include/config/"
	ln -s "$kdir/arch" "$v/arch"
	[ -e "$kdir/source" ] && ln -s "$(readlink -f "$kdir/source")" "$v/source"
	for e in "$kdir"/rust/*; do ln -s "$e" "$v/rust/"; done
	for e in "$kdir"/scripts/*; do ln -s "$e" "$v/scripts/"; done
	echo "$v"
}

# run NAME OS [env...] -- [probe args]: runs the probe on the view with
# LLVM=-<clang's major>, as the Makefile builds; sets $out and $rc.
run() {
	local os=$1; shift
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	out=$(env RUST_PROBE_OS_RELEASE="$tmp/os-$os" LLVM=-"$clang_major" "${envs[@]}" "$probe" --kdir "$view" "$@" 2>&1)
	rc=$?
}
# expect NAME LINES PATTERN...: exit 1, LINES lines of the probe, each
# PATTERN (fixed strings) in them.
expect() {
	local name=$1 lines=$2 p n
	shift 2
	n=$(grep -c '^rust-probe: ' <<<"$out")
	if [ "$rc" != 1 ] || [ "$n" != "$lines" ]; then
		report "$name" FAILED "exit $rc (want 1), $n line(s) (want $lines):"$'\n'"$out"
		return
	fi
	for p in "$@"; do
		grep -qF -- "$p" <<<"$out" || { report "$name" FAILED "no '$p' in:"$'\n'"$out"; return; }
	done
	report "$name" ok
}

view=$(fresh_view)
run debian --
if [ "$rc" = 0 ] && grep -qF "rust-probe: $release: Rust modules can be built ($want_text" <<<"$out"; then
	report complete-tree ok
else
	report complete-tree FAILED "exit $rc:"$'\n'"$out"
fi

view=$tmp/no-such-tree
run debian --
expect no-headers 1 "no kernel headers at $tmp/no-such-tree" "apt install linux-headers-"

view=$(fresh_view)
sed -i '/^CONFIG_RUST=/d' "$view/.config"
run debian --
expect no-config-rust 1 "built without Rust support (CONFIG_RUST is not set)"

view=$(fresh_view)
run debian RUSTC="$tmp/bin/no-rustc" --
expect rustc-missing 1 "rustc ($tmp/bin/no-rustc) is not installed" "the kernel was built with '$want_text'" \
	"install rustc $want_ver" "apt install 'rustc=$want_ver+*'"

run fedora RUSTC="$tmp/bin/rustc-other" --
expect rustc-other 1 "rustc here is 'rustc 1.85.1 (4eb161250 2025-03-15)' ($tmp/bin/rustc-other)" \
	"the kernel was built with '$want_text'" "rustup toolchain install $want_ver"

run ubuntu RUSTC="$tmp/bin/rustc-other" --
expect rustc-other-ubuntu 1 "rustc here is 'rustc 1.85.1" "apt install rustc-${want_ver%.*}"

# The metadata: what Debian's headers lack (rust/ and target.json).
rm "$view/rust/libkernel.rmeta" "$view/rust/libmacros.so" "$view/scripts/target.json"
missing="missing: rust/libmacros.so rust/libkernel.rmeta scripts/target.json"
run debian --
expect metadata-debian 1 "$release: the kernel headers at $view lack the Rust metadata ($missing)" \
	"install linux-headers-$release-rust, the Rust metadata package of this kernel"
run ubuntu --
expect metadata-ubuntu 1 "($missing)" "install linux-lib-rust-$release"
run fedora --
expect metadata-other 1 "($missing)" "these come from the kernel's own build"

# Two problems, two lines.
run debian RUSTC="$tmp/bin/rustc-other" --
expect two-problems 2 "rustc here is 'rustc 1.85.1" "lack the Rust metadata"

# A crate another --extern needs (the list comes from scripts/Makefile.build).
view=$(fresh_view)
rm "$view/rust/libzerocopy.rmeta"
run debian --
expect metadata-extern-crate 1 "(missing: rust/libzerocopy.rmeta)"

# Metadata written by another rustc than the one the .config names
# (E0514 otherwise): the .config and rustc agree on 1.85.1, the tree's
# libcore.rmeta is the real one of rustc $want_ver.
view=$(fresh_view)
sed -i 's/^CONFIG_RUSTC_VERSION_TEXT=.*/CONFIG_RUSTC_VERSION_TEXT="rustc 1.85.1 (4eb161250 2025-03-15)"/' "$view/.config"
run debian RUSTC="$tmp/bin/rustc-other" --
expect metadata-other-rustc 1 "rust/libcore.rmeta) was written by 'rustc $want_ver" \
	"not by 'rustc 1.85.1 (4eb161250 2025-03-15)'"

# The C compiler: clang for this clang-built tree.
view=$(fresh_view)
run debian LLVM=-99 --
expect clang-missing 1 "the kernel was built with clang" "clang-99 ld.lld-99 llvm-ar-99 llvm-nm-99 not found" \
	"apt install clang-$clang_major lld-$clang_major llvm-$clang_major"

# A GCC-built tree whose headers name their gcc (Debian's .kernelvariables).
sed -i -e 's/^CONFIG_CC_IS_CLANG=y/CONFIG_CC_IS_GCC=y/' \
	-e 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-99 (Debian 99.1.0-1) 99.1.0"/' "$view/.config"
printf 'override CROSS_COMPILE = x86_64-linux-gnu-\nCC = $(CROSS_COMPILE)gcc-99\n' >"$view/.kernelvariables"
run debian --
expect gcc-missing 1 "built with 'x86_64-linux-gnu-gcc-99 (Debian 99.1.0-1) 99.1.0', and x86_64-linux-gnu-gcc-99 is not installed" \
	"apt install gcc-99"

# bindgen, for modules that ask for it.
view=$(fresh_view)
run debian BINDGEN="$tmp/bin/no-bindgen" -- --bindgen
expect bindgen-missing 1 "bindgen ($tmp/bin/no-bindgen) is not installed" "apt install bindgen libclang-dev"

exit $failed
