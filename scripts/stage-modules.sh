#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lays out the guest's /lib/modules once: the kernel's own modules as its
# modules_install put them, plus the project's through its own
# `make modules_install` (which runs depmod over both). vm-run.sh copies the
# result into each guest; the harness stages once per run.
# Usage: stage-modules.sh KDIR PROJECT_DIR OUTDIR   (prints OUTDIR)
# RFL_MODULES_FROM=<dir>: the project's modules as another system installed
# them instead of a build here: DIR is that system's /lib/modules/<release>
# (make dkms-test: the chroot's, where DKMS put them), whose updates/ is
# taken as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$1 modules=$2 out=$3
release=$(cat "$kdir/include/config/kernel.release")
rm -rf "$out"
mkdir -p "$out/lib/modules"
root=$(distro_root "$kdir")
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
else
make -s -C "$modules" KDIR="$kdir" INSTALL_MOD_PATH="$out" modules_install >"$out/install.log" 2>&1 ||
	{ cat "$out/install.log" >&2; die "installing the project's modules failed" "run 'make KDIR=$kdir' and fix the build"; }
fi
# A headers package has no System.map, so Kbuild skips depmod: run the
# host's, the same kmod the guest's modprobe is.
if [ -n "$root" ] || [ -n "${RFL_MODULES_FROM:-}" ]; then
	depmod -b "$out" "$release" ||
		die "depmod over $out failed" "see its message above"
fi
[ -f "$out/lib/modules/$release/modules.dep" ] || die "depmod did not run for $out" "check that $kdir has System.map"
echo "$out"
