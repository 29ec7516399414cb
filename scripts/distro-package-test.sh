#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Shows the package of the missing piece doing its job, as on a Debian
# machine: in a throw-away view of the chroot of 'make distro-kdir' (an
# overlay: the cached chroot is not touched), with the package removed, a
# plain `make -C /lib/modules/<release>/build M=<project>` fails for want
# of the Rust metadata; with the package installed (dpkg -i) the same
# command builds every module of the project, with the kernel's vermagic.
# Usage: scripts/distro-package-test.sh [debian]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ "${1:-debian}" = debian ] || die "no distribution kernel support for '$1'" "use debian"
kdir=$("$REPO_ROOT/scripts/distro-kdir.sh" --print debian)
root=$(distro_root "$kdir")
# shellcheck disable=SC1091
. "$root/.rfl-distro"
pkg="linux-headers-$release-rust"
deb=$(ls "$root"/../debs/"${pkg}"_*_amd64.deb 2>/dev/null | head -1)
[ -f "$deb" ] || die "no $pkg package in $(dirname "$root")/debs" "run 'make distro-kdir DISTRO=debian' again"
# The vermagic every module must carry: that of Debian's own modules.
want=$(modinfo -F vermagic "$(find "$distro_modules/kernel/fs/fat" -name 'fat.ko*' | head -1)")
[ -n "$want" ] || die "cannot read the vermagic of Debian's fat module in $distro_modules" "run 'make distro-kdir DISTRO=debian' again"
log "package: $(basename "$deb"); Debian's modules have vermagic '$want'"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\):/  \1:/p' >&2
log "contents: $(dpkg-deb -c "$deb" | grep -c '\.rmeta$') .rmeta, $(dpkg-deb -c "$deb" | grep -c '\.so$') .so, $(dpkg-deb -c "$deb" | awk '{print $6}' | grep 'target\.json$')"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/rfl-pkgtest.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The project's sources only (no build products), and the package, put in
# the view's upper layer before it is mounted.
mkdir -p "$work/upper/root/project" "$work/upper/var/tmp"
rsync -a --exclude /target --exclude /.git --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.rmeta' --exclude '*.mod' --exclude '*.mod.c' --exclude modules.order \
	--exclude Module.symvers --exclude '*_generated.h' "$REPO_ROOT/" "$work/upper/root/project/"
cp "$deb" "$work/upper/var/tmp/"

in_chroot "$root" --overlay "$work" -- bash -c '
	set -uo pipefail
	release=$1 pkg=$2 deb=/var/tmp/$3 want=$4
	say() { printf "==> chroot: %s\n" "$*" >&2; }
	build() { make -C "/lib/modules/$release/build" M=/root/project -j"$(nproc)" modules; }
	say "dpkg -r $pkg: the headers as Debian ships them"
	dpkg -r "$pkg" >/dev/null || exit 1
	if build >/tmp/without.log 2>&1; then
		say "make M= succeeded without the package: the test proves nothing"; exit 1
	fi
	say "without the package, make M= fails as expected:"
	grep -m3 -E "target\.json|rmeta|No such file|Error" /tmp/without.log | sed "s/^/    /" >&2
	make -C "/lib/modules/$release/build" M=/root/project clean >/dev/null 2>&1
	say "dpkg -i $(basename "$deb")"
	dpkg -i "$deb" >&2 || exit 1
	say "make -C /lib/modules/$release/build M=/root/project modules"
	t0=$(date +%s)
	build >/tmp/with.log 2>&1 || { tail -30 /tmp/with.log >&2; say "make M= failed with the package installed"; exit 1; }
	say "built in $(($(date +%s) - t0))s with $(rustc --version):"
	cd /root/project
	for ko in $(find . -name "*.ko" | sort); do
		printf "    %-40s vermagic: %s\n" "$ko" "$(modinfo -F vermagic "$ko")" >&2
	done
	for ko in $(find . -name "*.ko"); do
		[ "$(modinfo -F vermagic "$ko")" = "$want" ] || { say "$ko: vermagic is not the kernel'"'"'s ($want)"; exit 1; }
	done
	say "every module has the kernel'"'"'s vermagic"
' pkgtest "$release" "$pkg" "$(basename "$deb")" "$want" || die "the package test failed (above)" \
	"see the chroot's output above; 'make distro-kdir DISTRO=debian' rebuilds the package"
log "package test: passed"
