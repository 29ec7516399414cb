#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lays out the guest's /lib/modules: the kernel's own modules as its
# modules_install put them, plus the project's (under updates/, where
# `make modules_install` puts them), then depmod over both.
#
# Usage: stage-modules.sh KDIR PROJECT_DIR OUTDIR   (prints OUTDIR)
#        stage-modules.sh --cpio KDIR PROJECT_DIR   (prints a cpio archive of
#                                                    that tree, cached)
# With --cpio the tree is laid out once per content: the archive is kept in
# PROJECT_DIR/target/vm/ under a key made of the kernel tree and the bytes of
# the project's modules as last built (make builds them; `make vm-run` and
# `make check` do so first), and every VM of that content reuses it. On the
# project's own kernel the modules go in without their debug information
# (INSTALL_MOD_STRIP's --strip-debug, as distributions install them): a
# tenth of the bytes for the guest to unpack and for each load to read. A
# distribution's modules stay as its package has them (signed).
# RFL_MODULES_FROM=<dir>: the project's modules as another system installed
# them instead of a build here: DIR is that system's /lib/modules/<release>
# (make dkms-test: the chroot's, where DKMS put them), whose updates/ is
# taken as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cpio=0
[ "${1:-}" = --cpio ] && { cpio=1; shift; }
[ $# = $((3 - cpio)) ] || die "usage: $0 KDIR PROJECT_DIR OUTDIR | --cpio KDIR PROJECT_DIR" "see the top of $0"
kdir=$1 modules=$(cd "$2" && pwd)
release=$(cat "$kdir/include/config/kernel.release")
root=$(distro_root "$kdir")

# Lays the tree out in $1.
stage_tree() {
	local out=$1
	rm -rf "$out"
	mkdir -p "$out/lib/modules"
	if [ -n "$root" ]; then
		# A distribution's kernel: its own modules, as its package has them,
		# but only those the scenarios load (the C twins and what they and the
		# project's modules need): all of them would not fit the guest's RAM.
		# shellcheck disable=SC1091
		. "$root/.rfl-distro"
		mkdir -p "$out/lib/modules/$release"
		cp "$distro_modules"/{modules.builtin,modules.builtin.modinfo,modules.order,System.map} "$out/lib/modules/$release/"
		distro_module_closure "$distro_modules" | while read -r m; do
			mkdir -p "$out/lib/modules/$release/$(dirname "$m")"
			cp "$distro_modules/$m" "$out/lib/modules/$release/$m"
		done
	elif [ -d "$kdir/mod-install/lib/modules/$release" ]; then
		cp -a "$kdir/mod-install/lib/modules/$release" "$out/lib/modules/"
	fi
	if [ -n "${RFL_MODULES_FROM:-}" ]; then
		[ -d "$RFL_MODULES_FROM/updates" ] || die "RFL_MODULES_FROM=$RFL_MODULES_FROM has no updates/" "name the /lib/modules/<release> directory the modules were installed in"
		mkdir -p "$out/lib/modules/$release"
		cp -a "$RFL_MODULES_FROM/updates" "$out/lib/modules/$release/"
	elif [ -z "$root" ] && ! grep -qE '^CONFIG_MODULE_(SIG_ALL|COMPRESS_[A-Z0-9]+)=y' "$kdir/.config"; then
		# What modules_install does for M= modules on a kernel that
		# neither signs nor compresses them: each module of modules.order
		# under updates/ (INSTALL_MOD_DIR's default), then depmod (below).
		# Done here, it saves a second parse of the kernel's Makefiles
		# (a second or so of compiler probes) in every edit-and-test loop.
		local mo o
		mo=$(make -s -C "$modules" KDIR="$kdir" RUST_LIB_SRC=unused modules-dir)
		[ -f "$mo/modules.order" ] || die "the project's modules are not built in $mo" "run 'make KDIR=$kdir'"
		while read -r o; do
			mkdir -p "$out/lib/modules/$release/updates/$(dirname "$o")"
			cp "$mo/${o%.o}.ko" "$out/lib/modules/$release/updates/${o%.o}.ko"
		done <"$mo/modules.order"
	else
		make -s -C "$modules" KDIR="$kdir" INSTALL_MOD_PATH="$out" modules_install >"$out/install.log" 2>&1 ||
			{ cat "$out/install.log" >&2; die "installing the project's modules failed" "run 'make KDIR=$kdir' and fix the build"; }
		rm -f "$out/install.log"
	fi
	if [ -z "$root" ] && [ -z "${RFL_MODULES_FROM:-}" ]; then
		# Debug sections are not loaded (not SHF_ALLOC): dropping them
		# changes no module's code, symbols, modinfo or version CRCs.
		find "$out/lib/modules/$release" -name '*.ko' -exec "llvm-strip$LLVM_SUFFIX" --strip-debug {} +
	fi
	# The host's depmod, the same kmod the guest's modprobe is (a headers
	# package has no System.map, so Kbuild's modules_install skips it).
	depmod -b "$out" "$release" || die "depmod over $out failed" "see its message above"
	[ -f "$out/lib/modules/$release/modules.dep" ] || die "depmod did not run for $out" "check that $kdir has System.map"
}

if [ $cpio = 0 ]; then
	stage_tree "$3"
	echo "$3"
	exit 0
fi

# The key: the kernel tree (its build stamp, or a distribution tree's
# Module.symvers), this script and the list of a distribution's modules it
# takes (distro_module_closure, in lib.sh), and the bytes of each module the
# project built (its modules.order lists them), or of those RFL_MODULES_FROM
# names.
if [ -n "${RFL_MODULES_FROM:-}" ]; then
	[ -d "$RFL_MODULES_FROM/updates" ] || die "RFL_MODULES_FROM=$RFL_MODULES_FROM has no updates/" "name the /lib/modules/<release> directory the modules were installed in"
	mapfile -t kos < <(find "$RFL_MODULES_FROM/updates" -type f | LC_ALL=C sort)
else
	mo=$(make -s -C "$modules" KDIR="$kdir" RUST_LIB_SRC=unused modules-dir)
	[ -f "$mo/modules.order" ] || die "the project's modules are not built in $mo" "run 'make KDIR=$kdir'"
	kos=()
	while read -r o; do kos+=("$mo/${o%.o}.ko"); done <"$mo/modules.order"
fi
key=$({
	echo "$kdir $release ${RFL_MODULES_FROM:-}"
	cat "$kdir/.build-complete" 2>/dev/null || stat -c '%s %Y' "$kdir/Module.symvers"
	cat "$0"
	declare -f distro_module_closure
	sha256sum "${kos[@]}"
} | sha256sum | cut -c1-16)
cache="$modules/target/vm"
file="$cache/modules-$key.cpio"
if [ -f "$file" ]; then
	touch "$file"
	echo "$file"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/modules-tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage_tree "$tmp/root"
(cd "$tmp/root" && find lib -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$tmp/modules.cpio"
# Parallel VMs may build the same key: the rename is atomic, the content equal.
mv -f "$tmp/modules.cpio" "$file"
# Archives of earlier builds, unused for an hour, go.
find "$cache" -maxdepth 1 -name 'modules-*.cpio' -mmin +60 -delete 2>/dev/null || true
echo "$file"
