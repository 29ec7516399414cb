#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the Debian package that completes a kernel's installed headers for
# Rust: the crate metadata and proc-macro libraries modules_prepare made
# (rust/*.rmeta, rust/*.so) and scripts/target.json. Installed beside
# linux-headers-<release>, it makes `make -C /lib/modules/<release>/build
# M=<dir>` (and DKMS, which runs the same) build Rust modules.
#
# Usage: distro-package.sh ROOT OUT RELEASE PKGVER RUSTC_PKGVER DESTDIR
#   ROOT     the chroot whose /usr/src/linux-headers-RELEASE it completes
#   OUT      modules_prepare's O= directory, inside ROOT
#   PKGVER   the kernel packages' version (the new package's too)
#   RUSTC_PKGVER  the rustc package that built the metadata
# Prints the .deb's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# = 6 ] || die "usage: $0 ROOT OUT RELEASE PKGVER RUSTC_PKGVER DESTDIR" "see the top of $0"
root=$1 out=$2 release=$3 pkgver=$4 rustc_pkg=$5 dest=$6

headers=/usr/src/linux-headers-$release
# Debian's headers tree reaches scripts/ through a link into the kbuild
# package; Kbuild reads <objtree>/scripts/target.json, so the file goes
# where the link points.
scripts=$(readlink "$root$headers/scripts") || die "$headers/scripts in $root is not a link" \
	"this layout is not Debian's headers package: install linux-headers-$release"
case $scripts in /*) ;; *) scripts=$(cd "$root$headers" && realpath -m "$scripts") && scripts=${scripts#"$root"} ;; esac
[ -f "$root$out/scripts/target.json" ] || die "no scripts/target.json in $root$out" "run modules_prepare there first"
compgen -G "$root$out/rust/libkernel.rmeta" >/dev/null || die "no rust/libkernel.rmeta in $root$out" "run modules_prepare there first"

pkg="linux-headers-$release-rust"
rustc_up=${rustc_pkg%%+*}
rustc_up=${rustc_up%%-*}
next="${rustc_up%.*}.$((${rustc_up##*.} + 1))"
stage=$(mktemp -d "${TMPDIR:-/tmp}/rfl-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
mkdir -p "$stage/DEBIAN" "$stage$headers/rust" "$stage$scripts" "$stage/usr/share/doc/$pkg"
cp "$root$out"/rust/*.rmeta "$root$out"/rust/*.so "$stage$headers/rust/"
# The proc-macro libraries' debug information is most of their size and
# nothing rustc needs to load them (Debian's dh_strip would drop it too).
strip --strip-debug "$stage$headers"/rust/*.so
cp "$root$out/scripts/target.json" "$stage$scripts/"
cat >"$stage/usr/share/doc/$pkg/README.Debian" <<DOC
Rust metadata for building out-of-tree Rust modules against Linux $release.

Made by modules_prepare over linux-source with this kernel's .config and
rustc $rustc_pkg, the compiler named in CONFIG_RUSTC_VERSION_TEXT; the
crate hashes equal those of the kernel's exported Rust symbols. Modules
must be built with that same rustc: any other rustc rejects this metadata.

  make -C /lib/modules/$release/build M=\$PWD
DOC
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CTL
Package: $pkg
Source: rfl-modules
Version: $pkgver
Architecture: amd64
Maintainer: rfl-modules <rfl-modules@localhost>
Installed-Size: $size
Depends: linux-headers-$release (= $pkgver), rustc (>= $rustc_up~), rustc (<< $next~)
Section: kernel
Priority: optional
Description: Rust metadata for the Linux $release headers
 The crate metadata (rust/*.rmeta), proc-macro libraries and
 scripts/target.json that building out-of-tree Rust modules needs and
 linux-headers-$release does not ship, made with rustc $rustc_up, the
 compiler the kernel was built with.
CTL
mkdir -p "$dest"
deb="$dest/${pkg}_${pkgver}_amd64.deb"
dpkg-deb --root-owner-group -Zzstd --build "$stage" "$deb" >/dev/null || die "dpkg-deb failed to build $pkg" "see its message above"
echo "$deb"
