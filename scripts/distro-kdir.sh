#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Makes a build tree for the kernel a distribution ships, so the project's
# modules build against it and load into it (README: "Building for your
# distribution's kernel"). Only Debian for now: its linux-image-7.3.*-amd64
# from trixie-backports has CONFIG_RUST=y, but its headers package carries
# no Rust metadata. This script, cached per kernel package version:
#   1. fetches the kernel image and Debian's own modules, with their
#      System.map and modules.builtin (for the VM);
#   2. debootstraps a trixie chroot (minbase) and installs there the
#      headers package and the exact rustc the kernel was built with
#      (CONFIG_RUSTC_VERSION_TEXT), with gcc-14, bindgen and pahole: the
#      kernel's build tools need trixie's glibc, so they run only there;
#   3. runs modules_prepare over Debian's linux-source with the headers'
#      .config, and checks that the Rust crates it made are the ones the
#      kernel exports (every Rust symbol of Module.symvers is defined);
#   4. packages the missing piece (rust/ metadata, proc-macro libraries,
#      scripts/target.json) as a .deb (scripts/distro-package.sh) and
#      installs it in the chroot over the headers.
# The build tree is then the chroot's /usr/src/linux-headers-<release>,
# exactly what a Debian machine with both packages has. Printed on stdout.
#
# Usage: scripts/distro-kdir.sh [--print] [debian]
#   --print   print the prepared tree and do nothing else (no network);
#             fails if there is none
set -euo pipefail
. "$(dirname "$0")/lib.sh"

print_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--print) print_only=1; shift ;;
	-*) die "unknown option $1" "see the usage at the top of $0" ;;
	*) break ;;
	esac
done
distro=${1:-debian}
[ "$distro" = debian ] || die "no distribution kernel support for '$distro'" \
	"use DISTRO=debian (docs/building-for-distributions.md, Limits: what other distributions would need)"

top="$CACHE_ROOT/distro-debian"
# The kernel package chosen the first time is pinned, so later runs (and
# --print, used by KERNEL=debian) work offline; delete the file to move on
# to a newer kernel.
pin="$top/current"
if [ $print_only = 1 ]; then
	[ -f "$pin" ] && [ -f "$top/$(cat "$pin")/.complete" ] ||
		die "no Debian kernel tree prepared" "run 'make distro-kdir DISTRO=debian' first (about 5 minutes)"
	cat "$top/$(cat "$pin")/kdir"
	exit 0
fi

start=$(date +%s)
step() { log "debian [$(($(date +%s) - start))s] $*"; }
# Each long step's wall time, for the README's figures.
timed() {
	local what=$1; shift
	local t0
	t0=$(date +%s)
	"$@" || return $?
	echo "$what $(($(date +%s) - t0))" >>"$dir/times.new"
}

mkdir -p "$top"
if [ ! -f "$pin" ]; then
	step "finding Debian's newest $KERNEL_SERIES kernel in trixie-backports"
	abi=$(private_apt trixie-backports apt-cache search --names-only "^linux-binary-${KERNEL_SERIES//./\\.}\\.[0-9]+\\+deb[0-9]+-amd64\$" 2>/dev/null |
		awk '{print $1}' | sed 's/^linux-binary-//' | sort -V | tail -1)
	[ -n "$abi" ] || die "trixie-backports has no linux-binary-$KERNEL_SERIES.*-amd64" \
		"check the network and the mirror in /etc/apt/sources.list.d/debian.sources"
	pkgver=$(private_apt trixie-backports apt-cache show "linux-binary-$abi" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
	[ -n "$pkgver" ] || die "no version for linux-binary-$abi" "re-run $0; if it persists, the mirror's lists are broken"
	echo "${abi}_$pkgver" >"$pin"
fi
name=$(cat "$pin")
abi=${name%%_*} pkgver=${name#*_}
# The release the kernel reports (uname -r) is the package's ABI name.
release=$abi
dir="$top/$name"
root="$dir/root"
kdir="$root/usr/src/linux-headers-$release"
if [ -f "$dir/.complete" ]; then
	step "cached: $kdir"
	echo "$kdir"
	exit 0
fi
mkdir -p "$dir/debs"
rm -f "$dir/times.new"
step "kernel linux-image-$abi $pkgver; work directory $dir"

# 1. What the VM boots: the kernel image and Debian's own modules.
fetch_debs() {
	local p missing=()
	for p in "$@"; do
		compgen -G "$dir/debs/${p}_${pkgver//:/%3a}_*.deb" >/dev/null || missing+=("$p=$pkgver")
	done
	[ ${#missing[@]} = 0 ] && return 0
	(cd "$dir/debs" && private_apt trixie-backports apt-get -qq download "${missing[@]}" >&2) ||
		die "downloading ${missing[*]} failed" "check the network, then re-run $0"
}
# linux-base-<abi> has System.map and modules.builtin, for depmod.
if [ ! -f "$dir/vmlinuz" ] || [ ! -f "$dir/modules/lib/modules/$release/modules.builtin" ]; then
	step "fetching linux-binary-$abi, linux-base-$abi and linux-modules-$abi (~120 MB)"
	fetch_debs "linux-binary-$abi" "linux-base-$abi" "linux-modules-$abi"
	rm -rf "$dir/unpack" "$dir/modules"
	mkdir -p "$dir/unpack" "$dir/modules/lib/modules"
	for d in "$dir"/debs/linux-{binary,base,modules}-"$abi"_*.deb; do
		dpkg-deb -x "$d" "$dir/unpack"
	done
	# Merged /usr: the guest has a plain /lib/modules.
	mv "$dir/unpack/usr/lib/modules/$release" "$dir/modules/lib/modules/"
	mv "$dir/modules/lib/modules/$release/vmlinuz" "$dir/vmlinuz"
	rm -rf "$dir/unpack"
fi
# Its modules.dep (the package leaves it to the machine's depmod) tells
# the VM which of the 4,000 modules the scenarios' ones need.
if [ ! -f "$dir/modules/lib/modules/$release/modules.dep" ]; then
	step "depmod over Debian's modules"
	depmod -b "$dir/modules" "$release" || die "depmod over $dir/modules failed" "see its message above"
fi

# 2. The trixie chroot.
if [ ! -f "$root/.rfl-chroot-base" ]; then
	mirror=$(debian_mirror_uri)
	command -v debootstrap >/dev/null || die "debootstrap is not installed" "run scripts/setup-toolchain.sh"
	step "debootstrap: a trixie chroot (minbase, about 1-2 minutes); log: $dir/debootstrap.log"
	rm -rf "$root"
	if ! timed chroot as_root debootstrap --variant=minbase trixie "$root" "$mirror" >"$dir/debootstrap.log" 2>&1; then
		tail -5 "$dir/debootstrap.log" >&2
		die "debootstrap of trixie failed" "read $dir/debootstrap.log; check the network, then re-run $0"
	fi
	# trixie for the toolchain, trixie-backports for the kernel packages
	# only: backports are never chosen unless named, so rustc stays
	# trixie's. The mirror is the one the machine's apt uses.
	printf 'deb %s trixie main\ndeb %s trixie-backports main\n' "$mirror" "$mirror" >"$root/etc/apt/sources.list"
	touch "$root/.rfl-chroot-base"
fi

# The headers first: their .config names the compiler versions to install.
step "apt (chroot): linux-headers-$abi $pkgver"
in_chroot "$root" -- apt-get -qq update >&2 || die "apt-get update in the chroot failed" "check the network, then re-run $0"
in_chroot "$root" -- env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends \
	"linux-headers-$abi=$pkgver" >"$dir/apt.log" 2>&1 ||
	{ tail -20 "$dir/apt.log" >&2; die "installing linux-headers-$abi in the chroot failed" "read $dir/apt.log"; }
config="$kdir/.config"
grep -q '^CONFIG_RUST=y' "$config" || die "Debian's $abi kernel is built without Rust (CONFIG_RUST is not set)" \
	"no Rust module can load into it; use a kernel with CONFIG_RUST=y"
cfg() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$config"; }
rustc_text=$(cfg CONFIG_RUSTC_VERSION_TEXT)
rustc_ver=$(awk '{print $2}' <<<"$rustc_text")
[ -n "$rustc_ver" ] || die "the headers' .config has no CONFIG_RUSTC_VERSION_TEXT" "this kernel cannot be served: its Rust compiler is unknown"

# The crate metadata must come from the very rustc that built the kernel:
# any other emits other crate hashes, and the modules' symbols would not
# resolve. Debian packages it as <upstream>+dfsg<n>-<revision>.
rustc_pkg=$(in_chroot "$root" -- apt-cache madison rustc | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
	grep -E "^${rustc_ver//./\\.}\+" | head -1 || true)
if [ -z "$rustc_pkg" ]; then
	avail=$(in_chroot "$root" -- apt-cache madison rustc | awk -F'|' '{gsub(/ /, "", $2); printf "%s ", $2}')
	die "Debian's $abi kernel was built with $rustc_text (CONFIG_RUSTC_VERSION_TEXT); Rust modules need crate metadata from exactly that rustc $rustc_ver, and trixie offers only: ${avail:-none}" \
		"the kernel's Rust crates cannot be reproduced without rustc $rustc_ver; wait for a kernel built with an available rustc"
fi
step "apt (chroot): rustc $rustc_pkg (the kernel's: $rustc_text), gcc-14, bindgen, pahole"
in_chroot "$root" -- env DEBIAN_FRONTEND=noninteractive apt-get -qq -y install --no-install-recommends \
	"rustc=$rustc_pkg" "rust-src=$rustc_pkg" "libstd-rust-dev=$rustc_pkg" bindgen libclang-dev gcc-14 make flex \
	bison bc libelf-dev libssl-dev dwarves kmod xz-utils python3 >>"$dir/apt.log" 2>&1 ||
	{ tail -20 "$dir/apt.log" >&2; die "installing the toolchain in the chroot failed" "read $dir/apt.log"; }
echo "chroot-total $(($(date +%s) - start))" >>"$dir/times.new"

# The chroot's tools must say what the kernel's config recorded; a
# mismatch would make modules_prepare produce another configuration.
have_rustc=$(in_chroot "$root" -- rustc --version)
[ "$have_rustc" = "$rustc_text" ] || die "the chroot's rustc says '$have_rustc', the kernel was built with '$rustc_text'" \
	"remove $dir and re-run $0; if it persists, Debian rebuilt rustc $rustc_ver differently"
for pair in "CONFIG_CC_VERSION_TEXT:x86_64-linux-gnu-gcc-14 --version" "CONFIG_BINDGEN_VERSION_TEXT:bindgen --version"; do
	want=$(cfg "${pair%%:*}")
	# shellcheck disable=SC2086
	have=$(in_chroot "$root" -- ${pair#*:} 2>/dev/null | head -1)
	[ "$have" = "$want" ] || warn "the chroot's '${pair#*:}' says '$have', the kernel's ${pair%%:*} is '$want'"
done

# 3. modules_prepare over the kernel's own source.
srcver=$(sed -n 's/^linux-source-[0-9.]*_\(.*\)_all\.deb$/\1/p' "$CACHE_ROOT/downloads/linux-source.version" 2>/dev/null || true)
if [ "$srcver" = "$pkgver" ] && [ -f "$CACHE_ROOT/src/linux-source-${KERNEL_SERIES}_${pkgver}_all/.unpacked" ]; then
	src="$CACHE_ROOT/src/linux-source-${KERNEL_SERIES}_${pkgver}_all"
else
	src="$dir/src"
	if [ ! -f "$src/.unpacked" ]; then
		step "fetching linux-source-$KERNEL_SERIES $pkgver (~170 MB) and unpacking it"
		fetch_debs "linux-source-$KERNEL_SERIES"
		rm -rf "$src" && mkdir -p "$src"
		dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-"$KERNEL_SERIES"_*_all.deb | tar -xO --wildcards '*/linux-source-*.tar.xz' |
			tar -xJ -C "$src" --strip-components=1
		touch "$src/.unpacked"
	fi
fi
out=/var/tmp/rfl-prepare
mk=(make -C "$src" O="$out" ARCH=x86 CC=x86_64-linux-gnu-gcc-14 HOSTCC=gcc-14 KERNELRELEASE="$release")
prepare_in_chroot() {
	in_chroot "$root" --ro-bind "$src" -- "${mk[@]}" -s olddefconfig >"$dir/prepare.log" 2>&1 || return 1
	local t0
	t0=$(date +%s)
	in_chroot "$root" --ro-bind "$src" -- "${mk[@]}" -j"$(nproc)" modules_prepare 2>&1 | tee -a "$dir/prepare.log" |
		awk -v start="$t0" '{ n++ } n % 40 == 0 || / RUSTC / { printf "  ... %d build steps, %ds, last: %s\n", n, systime() - start, $0 > "/dev/stderr"; fflush("/dev/stderr") }'
	return "${PIPESTATUS[0]}"
}
# A finished modules_prepare of the same .config is kept (a later step
# may have failed).
if [ -f "$root$out/.rfl-prepared" ] && cmp -s "$config" "$root$out/.rfl-config"; then
	step "modules_prepare: done before, kept ($root$out)"
else
	rm -rf "$root$out"
	mkdir -p "$root$out"
	cp "$config" "$root$out/.config"
	cp "$config" "$root$out/.rfl-config"
	step "modules_prepare (chroot, $(nproc) jobs, about 3-5 minutes on 2 busy cores); log: $dir/prepare.log"
	if ! timed modules_prepare prepare_in_chroot; then
		grep -E 'error|Error' "$dir/prepare.log" | head -20 >&2
		die "modules_prepare in the chroot failed" "read $dir/prepare.log"
	fi
	touch "$root$out/.rfl-prepared"
fi
# olddefconfig must not have changed an option, else the crates could be
# another kernel's. Only the host's OpenSSL capabilities may differ (they
# decide how sign-file is built, nothing of the kernel or its crates).
diff <(grep '^CONFIG_' "$config") <(grep '^CONFIG_' "$root$out/.config") >"$dir/config.diff" || true
if grep -E '^[<>] ' "$dir/config.diff" | grep -vqE '^[<>] CONFIG_OPENSSL_SUPPORTS_[A-Z0-9_]+='; then
	head -20 "$dir/config.diff" >&2
	die "olddefconfig changed Debian's .config in the chroot (diff above, in $dir/config.diff)" \
		"a tool version differs from Debian's build; compare the *_VERSION_TEXT lines"
fi
[ -s "$dir/config.diff" ] && warn "the chroot's OpenSSL differs from Debian's build host: $(grep -E '^[<>] ' "$dir/config.diff" | tr '\n' ' ')(sign-file only)"

# Every Rust symbol Debian's kernel exports must be defined by the crates
# just built: their mangled names carry the crate hashes, so this proves
# the metadata is the kernel's.
step "checking the rebuilt Rust crates against Debian's Module.symvers"
awk '$2 ~ /^_R/ && $3 == "vmlinux" {print $2}' "$kdir/Module.symvers" | sort -u >"$dir/rust-exports.want"
nm --defined-only "$root$out"/rust/*.o 2>/dev/null | awk '{print $3}' | sort -u >"$dir/rust-exports.have"
missing=$(comm -23 "$dir/rust-exports.want" "$dir/rust-exports.have" | wc -l)
total=$(wc -l <"$dir/rust-exports.want")
[ "$total" -gt 0 ] || die "Debian's Module.symvers lists no Rust symbol" "this kernel exports no Rust API; nothing to build against"
[ "$missing" = 0 ] || die "$missing of Debian's $total exported Rust symbols are not in the rebuilt crates (list: comm -23 $dir/rust-exports.want $dir/rust-exports.have)" \
	"the crate hashes differ: check that rustc, the .config and linux-source are exactly Debian's"
log "all $total Rust symbols of Debian's Module.symvers are in the rebuilt crates"

# 4. The missing piece as a package, installed over the headers.
step "packaging the Rust metadata (dpkg-deb) and installing it in the chroot"
deb=$("$REPO_ROOT/scripts/distro-package.sh" "$root" "$out" "$release" "$pkgver" "$rustc_pkg" "$dir/debs")
cp "$deb" "$root/var/tmp/"
in_chroot "$root" -- dpkg -i "/var/tmp/$(basename "$deb")" >>"$dir/apt.log" 2>&1 ||
	{ tail -20 "$dir/apt.log" >&2; die "installing $(basename "$deb") in the chroot failed" "read $dir/apt.log"; }
rm -f "$root/var/tmp/$(basename "$deb")"

# What the bench needs beside the tree (scripts/lib.sh: distro_root), as
# shell assignments: the kernel to boot and its own modules.
printf 'distro=debian\nrelease=%s\npkgver=%s\ndistro_vmlinuz=%s\ndistro_modules=%s\n' "$release" "$pkgver" \
	"$dir/vmlinuz" "$dir/modules/lib/modules/$release" >"$root/.rfl-distro"
echo "$kdir" >"$dir/kdir"
echo "total $(($(date +%s) - start))" >>"$dir/times.new"
mv "$dir/times.new" "$dir/times"
touch "$dir/.complete"
step "ready: $kdir (times in $dir/times)"
echo "$kdir"
