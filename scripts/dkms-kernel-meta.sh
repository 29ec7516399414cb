#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust metadata package (scripts/distro-package.sh) of another Debian
# kernel than the one 'make distro-kdir' prepared, so make dkms-test can
# show DKMS building for a second kernel. The same steps as
# scripts/distro-kdir.sh, in a view of its chroot kept in the cache (the
# chroot itself is not touched): that kernel's headers, its
# linux-source of the same version, modules_prepare with the headers'
# .config and the chroot's rustc (which must be the kernel's), the check
# that every Rust symbol of the kernel's Module.symvers is defined by the
# rebuilt crates, then the package. Cached per release.
# Usage: scripts/dkms-kernel-meta.sh RELEASE     (prints the .deb's path)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# = 1 ] || die "usage: $0 RELEASE" "give a Debian kernel release, e.g. 7.2.12+deb13-amd64"
release=$1
kdir=$("$REPO_ROOT/scripts/distro-kdir.sh" --print debian)
root=$(distro_root "$kdir")
dir="$CACHE_ROOT/dkms/kernels/$release"
if deb=$(ls "$dir"/debs/linux-headers-"$release"-rust_*_amd64.deb 2>/dev/null | head -1) && [ -f "$dir/.complete" ]; then
	echo "$deb"
	exit 0
fi
mkdir -p "$dir/debs" "$dir/view"
step() { log "kernel $release: $*"; }

step "apt (chroot view): linux-headers-$release"
in_chroot "$root" --overlay "$dir/view" -- env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install \
	--no-install-recommends "linux-headers-$release" >"$dir/apt.log" 2>&1 ||
	{ tail -20 "$dir/apt.log" >&2; die "installing linux-headers-$release failed" "read $dir/apt.log"; }
# What the headers brought is in the view's upper layer, as new files.
up="$dir/view/upper"
headers="$up/usr/src/linux-headers-$release"
config="$headers/.config"
[ -f "$config" ] || die "no $config" "the headers package has another layout; read $dir/apt.log"
grep -q '^CONFIG_RUST=y' "$config" || die "Debian's $release kernel is built without Rust" "pick another kernel"
pkgver=$(in_chroot "$root" --overlay "$dir/view" -- dpkg-query -W -f='${Version}' "linux-headers-$release")
rustc_text=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$config")
have=$(in_chroot "$root" -- rustc --version)
[ "$have" = "$rustc_text" ] || die "$release was built with '$rustc_text', the chroot's rustc is '$have'" \
	"this kernel needs a chroot with its own rustc"
rustc_pkg=$(in_chroot "$root" -- dpkg-query -W -f='${Version}' rustc)
series=$(sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$release")

src="$dir/src"
# The source make kernel or distro-kdir unpacked, when it is the same.
[ -f "$CACHE_ROOT/src/linux-source-${series}_${pkgver}_all/.unpacked" ] && src="$CACHE_ROOT/src/linux-source-${series}_${pkgver}_all"
if [ ! -f "$src/.unpacked" ]; then
	step "fetching linux-source-$series $pkgver (~170 MB) and unpacking it"
	(cd "$dir/debs" && private_apt trixie-backports apt-get -qq download "linux-source-$series=$pkgver" >&2) ||
		die "downloading linux-source-$series=$pkgver failed" "check the network, then re-run $0"
	rm -rf "$src" && mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-"$series"_*_all.deb | tar -xO --wildcards '*/linux-source-*.tar.xz' |
		tar -xJ -C "$src" --strip-components=1
	rm -f "$dir"/debs/linux-source-"$series"_*_all.deb
	touch "$src/.unpacked"
fi
out=/var/tmp/rfl-prepare-$release
if [ ! -f "$up$out/.rfl-prepared" ]; then
	step "modules_prepare (chroot view, about 5 minutes); log: $dir/prepare.log"
	rm -rf "$up$out"
	mkdir -p "$up$out"
	cp "$config" "$up$out/.config"
	mk=(make -C "$src" O="$out" ARCH=x86 CC=x86_64-linux-gnu-gcc-14 HOSTCC=gcc-14 KERNELRELEASE="$release")
	in_chroot "$root" --overlay "$dir/view" --ro-bind "$src" -- bash -c '"$@" -s olddefconfig && "$@" -j"$(nproc)" modules_prepare' \
		prepare "${mk[@]}" >"$dir/prepare.log" 2>&1 ||
		{ grep -E 'error|Error' "$dir/prepare.log" | head -20 >&2; die "modules_prepare failed" "read $dir/prepare.log"; }
	touch "$up$out/.rfl-prepared"
fi
awk '$2 ~ /^_R/ && $3 == "vmlinux" {print $2}' "$headers/Module.symvers" | sort -u >"$dir/rust-exports.want"
nm --defined-only "$up$out"/rust/*.o 2>/dev/null | awk '{print $3}' | sort -u >"$dir/rust-exports.have"
missing=$(comm -23 "$dir/rust-exports.want" "$dir/rust-exports.have" | wc -l)
total=$(wc -l <"$dir/rust-exports.want")
[ "$total" -gt 0 ] && [ "$missing" = 0 ] || die "$missing of $total exported Rust symbols of $release are not in the rebuilt crates" \
	"check that rustc, the .config and linux-source are exactly Debian's"
step "all $total Rust symbols of its Module.symvers are in the rebuilt crates"
deb=$("$REPO_ROOT/scripts/distro-package.sh" "$up" "$out" "$release" "$pkgver" "$rustc_pkg" "$dir/debs")
touch "$dir/.complete"
echo "$deb"
