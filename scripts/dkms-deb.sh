#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds rfl-modules-dkms_<version>_all.deb (docs/dkms.md) with Debian's own
# tools, dpkg-buildpackage + debhelper + dh-dkms, in a view of the trixie
# chroot of 'make distro-kdir DISTRO=debian' (an overlay kept in the cache
# beside it, so the chroot itself gets no build tools).
#
# The version comes from one place, dkms/VERSION, with the git commit it
# was made from appended (<VERSION>+git<commits>.g<hash>, .dirty for a
# tree with uncommitted changes), so every commit makes a newer package.
# The package ships the module sources, the probe and dkms.conf (version
# filled by dh_dkms) in /usr/src/rfl-modules-<version>, and depends on
# dkms, the rustc the chroot's kernel was built with
# (CONFIG_RUSTC_VERSION_TEXT) and the Rust metadata package of that kernel
# (scripts/distro-package.sh), which is copied beside it.
#
# Usage: scripts/dkms-deb.sh [--version] [OUTDIR]   (default target/dkms)
#   --version   print the package version and nothing else
# Prints the .deb's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dkms_version() {
	local base v
	base=$(tr -d ' \n' <"$REPO_ROOT/dkms/VERSION")
	if git -C "$REPO_ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		v="$base+git$(git -C "$REPO_ROOT" rev-list --count HEAD).g$(git -C "$REPO_ROOT" rev-parse --short=8 HEAD)"
		# Only what the package ships counts.
		[ -z "$(git -C "$REPO_ROOT" status --porcelain -- Kbuild rust_vfat_demo rust_ncr810_stub dkms \
			scripts/rust-probe.sh scripts/rust-exports.sh)" ] || v="$v.dirty"
		echo "$v"
	else
		echo "$base"
	fi
}
if [ "${1:-}" = --version ]; then
	dkms_version
	exit 0
fi
out=$(mkdir -p "${1:-$REPO_ROOT/target/dkms}" && cd "${1:-$REPO_ROOT/target/dkms}" && pwd)

kdir=$("$REPO_ROOT/scripts/distro-kdir.sh" --print debian)
root=$(distro_root "$kdir")
# shellcheck disable=SC1091
. "$root/.rfl-distro"
version=$(dkms_version)
cfg() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$kdir/.config"; }
rustc_ver=$(cfg CONFIG_RUSTC_VERSION_TEXT | awk '{print $2}')
[ -n "$rustc_ver" ] || die "no CONFIG_RUSTC_VERSION_TEXT in $kdir/.config" "run 'make distro-kdir DISTRO=debian' again"
rustc_next="${rustc_ver%.*}.$((${rustc_ver##*.} + 1))"
meta="linux-headers-$release-rust"
meta_deb=$(ls "$root"/../debs/"${meta}"_*_amd64.deb 2>/dev/null | head -1)
[ -f "$meta_deb" ] || die "no $meta package in $(dirname "$root")/debs" "run 'make distro-kdir DISTRO=debian' again"
log "rfl-modules-dkms $version: for $release (rustc $rustc_ver, $meta)"

# The package's source tree: what git tracks of the module sources (no
# build products, no host tests), the two scripts the build runs, and
# the Debian packaging.
work=$(mktemp -d /var/tmp/rfl-dkms-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/rfl-modules-$version"
mkdir -p "$src/scripts"
(cd "$REPO_ROOT" && git ls-files -z Kbuild rust_vfat_demo rust_ncr810_stub | grep -zv '^rust_vfat_demo/host/' |
	xargs -0 cp --parents -t "$src")
cp "$REPO_ROOT/scripts/rust-probe.sh" "$REPO_ROOT/scripts/rust-exports.sh" "$src/scripts/"
cp "$REPO_ROOT/dkms/dkms.conf" "$src/dkms.conf"
echo "$version" >"$src/VERSION"
cp -r "$REPO_ROOT/dkms/debian" "$src/debian"
sed -e "s/@RUSTC_VERSION@/$rustc_ver/g" -e "s/@RUSTC_NEXT@/$rustc_next/g" -e "s/@METADATA_PACKAGE@/$meta/g" \
	"$src/debian/control.in" >"$src/debian/control"
rm "$src/debian/control.in"
commit=$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
cat >"$src/debian/changelog" <<CL
rfl-modules ($version) trixie; urgency=medium

  * Built from commit $commit by scripts/dkms-deb.sh, for Linux $release
    (rustc $rustc_ver).

 -- rfl-modules <rfl-modules@localhost>  $(date -R)
CL

# Debian's packaging tools in a view of the chroot kept in the cache: the
# first run installs them there (about 30 s), later runs reuse them.
ov="$CACHE_ROOT/dkms/$(basename "$(dirname "$root")")-build"
mkdir -p "$ov"
if ! in_chroot "$root" --overlay "$ov" -- dpkg -s dh-dkms debhelper build-essential >/dev/null 2>&1; then
	log "apt (chroot view $ov): build-essential, debhelper, dh-dkms"
	in_chroot "$root" --overlay "$ov" -- env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install \
		--no-install-recommends build-essential debhelper dh-dkms >"$work/apt.log" 2>&1 ||
		{ tail -20 "$work/apt.log" >&2; die "installing debhelper and dh-dkms in the chroot view failed" "check the network, then re-run $0"; }
fi
log "dpkg-buildpackage -b (chroot view)"
in_chroot "$root" --overlay "$ov" --bind "$work" -- bash -c 'cd "$1" && dpkg-buildpackage -b -us -uc' build "$src" \
	>"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; die "dpkg-buildpackage failed" "see its output above"; }
deb="$work/rfl-modules-dkms_${version}_all.deb"
[ -f "$deb" ] || die "dpkg-buildpackage made no $(basename "$deb")" "read the build output: $(tail -3 "$work/build.log")"
rm -f "$out"/rfl-modules-dkms_*_all.deb
cp "$deb" "$out/"
cp "$meta_deb" "$out/"
dpkg-deb --field "$deb" Package Version Depends | sed 's/^/  /' >&2
log "$(dpkg-deb -c "$deb" | grep -c '^-') files; also in $out: $(basename "$meta_deb")"
echo "$out/$(basename "$deb")"
