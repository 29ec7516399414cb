#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks, before a build, that out-of-tree Rust modules can be built against
# a kernel tree (a build tree or an installed headers package), and says in
# one line per problem what is missing and how to get it. Without it a
# missing piece shows as a wall of rustc errors (E0463 "can't find crate",
# E0514 "compiled by an incompatible version of rustc") or a Kbuild stop.
#
# Run by DKMS before the build (dkms.conf: PRE_BUILD) and by the project's
# Makefile against any KDIR (check_kdir). Shipped in the DKMS package, so it
# needs nothing of the project but itself (bash, coreutils, grep, sed).
#
# What it checks, each against what the kernel's .config recorded:
#   - the kernel has Rust support (CONFIG_RUST=y); nothing else is checked
#     without it;
#   - rustc is there and is the very compiler that built the kernel
#     (CONFIG_RUSTC_VERSION_TEXT): the kernel's crate metadata is readable
#     only by that rustc;
#   - the tree has the Rust metadata a module build reads: rust/libcore.rmeta,
#     rust/libcompiler_builtins.rmeta, the crates scripts/Makefile.build
#     passes with --extern (kernel, pin_init, ...: .rmeta, or .so for
#     proc macros), rust/libmacros.so, scripts/target.json where the
#     architecture's Makefile uses it, rust/helpers/helpers_module.bc with
#     CONFIG_RUST_INLINE_HELPERS; and that metadata was written by the
#     same rustc (the version string at the start of libcore.rmeta);
#   - the C compiler: clang (and ld.lld, llvm-ar) for a clang-built
#     kernel, the kernel's gcc for a GCC-built one;
#   - with --bindgen, bindgen, for modules that generate bindings
#     themselves (the project's both do: dkms/dkms.conf passes it).
#
# Usage: rust-probe.sh [--kdir DIR] [--bindgen] [--quiet]
#   --kdir DIR  the kernel tree (default /lib/modules/$(uname -r)/build)
#   --quiet     print nothing when all is well
# Environment, as Kbuild reads it: RUSTC (default rustc), BINDGEN (bindgen),
# LLVM (LLVM=1 or LLVM=-<ver>: clang's name), CC.
# RUST_PROBE_OS_RELEASE: the os-release file that decides which package
# names the hints give (default /etc/os-release).
# Exit status: 0 when the build can go ahead, 1 with the lines on stderr.
set -uo pipefail

kdir="" bindgen=0 quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=${2:-}; shift 2 ;;
	--bindgen) bindgen=1; shift ;;
	--quiet) quiet=1; shift ;;
	*) echo "rust-probe: unknown argument '$1' (usage: $0 [--kdir DIR] [--bindgen] [--quiet])" >&2; exit 2 ;;
	esac
done
[ -n "$kdir" ] || kdir=/lib/modules/$(uname -r)/build

# Inside the rfl-modules project, a tree from scripts/distro-kdir.sh is
# probed inside its chroot, with the toolchain the build will use there
# (scripts/kbuild.sh builds the same way). Elsewhere, and inside the
# chroot itself, this block does nothing.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${RUST_PROBE_IN_CHROOT:-}" ] && [ -f "$here/lib.sh" ] && [ -f "$here/kbuild.sh" ]; then
	# shellcheck source=scripts/lib.sh
	. "$here/lib.sh"
	root=$(distro_root "$kdir")
	if [ -n "$root" ] && [ "$root" != / ]; then
		inner=$(cd "$kdir" && pwd -P)
		inner=${inner#"$(cd "$root" && pwd -P)"}
		args=(--kdir "$inner")
		[ $bindgen = 1 ] && args+=(--bindgen)
		[ $quiet = 1 ] && args+=(--quiet)
		project=$(cd "$here/.." && pwd -P)
		in_chroot "$root" --ro-bind "$project" -- env RUST_PROBE_IN_CHROOT=1 \
			bash "$project/scripts/rust-probe.sh" "${args[@]}"
		exit $?
	fi
fi

problems=0
release=""
problem() {
	echo "rust-probe: ${release:+$release: }$*" >&2
	problems=$((problems + 1))
}

# Which distribution the hints speak to: debian, ubuntu or other.
os=other
osr=${RUST_PROBE_OS_RELEASE:-/etc/os-release}
if [ -r "$osr" ]; then
	id=$(sed -n 's/^ID="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$osr")
	like=$(sed -n 's/^ID_LIKE="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$osr")
	case " $id $like " in
	*" ubuntu "*) os=ubuntu ;;
	*" debian "*) os=debian ;;
	esac
	case $id in arch | archarm | manjaro | endeavouros) os=arch ;; esac
fi

# The release: the tree's own record, else the /lib/modules path.
if [ -f "$kdir/include/config/kernel.release" ]; then
	release=$(cat "$kdir/include/config/kernel.release")
else
	case $kdir in /lib/modules/*/build | /lib/modules/*/build/) release=${kdir#/lib/modules/} release=${release%%/*} ;; esac
fi

config=$kdir/.config
[ -f "$config" ] || config=$kdir/include/config/auto.conf
if [ ! -f "$config" ]; then
	case $os in
	debian | ubuntu) hint="install the kernel's headers: apt install linux-headers-${release:-\$(uname -r)}" ;;
	arch) hint="install the kernel's headers: pacman -S linux-headers (for the linux package; linux-lts-headers etc. for the others)" ;;
	*) hint="install the kernel's headers package, or pass the kernel's build tree (KDIR=)" ;;
	esac
	problem "no kernel headers at $kdir (no .config): $hint"
	exit 1
fi
cfg() { sed -n "s/^$1=\"\\{0,1\\}\\(.*[^\"]\\)\"\\{0,1\\}\$/\\1/p" "$config" | head -1; }
on() { grep -qE "^$1=(y|m)\$" "$config"; }

if ! on CONFIG_RUST; then
	problem "the kernel is built without Rust support (CONFIG_RUST is not set): no Rust module can be built for it or loaded into it; use a kernel built with CONFIG_RUST=y"
	exit 1
fi

# The rustc the kernel was built with, and how to get it here.
want=$(cfg CONFIG_RUSTC_VERSION_TEXT)
want_ver=$(sed -n 's/^rustc \([0-9][0-9.]*\).*/\1/p' <<<"$want")
rustc_hint() {
	case $os in
	debian) echo "install rustc $want_ver, the one of the distribution release that built the kernel (apt install 'rustc=$want_ver+*'; apt-cache policy rustc lists the versions)" ;;
	ubuntu) echo "install rustc $want_ver (Ubuntu builds kernels with a versioned package: apt install rustc-${want_ver%.*}, then make it the rustc Kbuild runs)" ;;
	*) echo "install rustc $want_ver (rustup toolchain install $want_ver, or the distribution's rustc of that version) and put it first in PATH" ;;
	esac
}
rustc=${RUSTC:-rustc}
have=""
rustc_ok=0
if [ -z "$want" ]; then
	problem "the kernel's .config has no CONFIG_RUSTC_VERSION_TEXT: its Rust compiler is unknown, so no module can be built to match it; use the kernel's own build tree or headers"
elif ! command -v "$rustc" >/dev/null 2>&1; then
	problem "rustc ($rustc) is not installed; the kernel was built with '$want': $(rustc_hint)"
else
	have=$("$rustc" --version 2>/dev/null | tr -d '#')
	if [ "$have" = "$want" ]; then
		rustc_ok=1
	else
		problem "rustc here is '${have:-a rustc that does not run}' ($(command -v "$rustc")), the kernel was built with '$want': $(rustc_hint)"
	fi
fi

# The Rust metadata of the kernel's build.
# Kbuild's own files are in the source tree: the build tree's source link
# (an O= build), or the tree itself (a headers package).
src=$kdir
[ -d "$kdir/source/scripts" ] && src=$kdir/source
need=(rust/libcore.rmeta rust/libcompiler_builtins.rmeta rust/libmacros.so)
if [ -f "$src/scripts/Makefile.build" ]; then
	for c in $(grep -oE -- '--extern [a-z_0-9]+' "$src/scripts/Makefile.build" | sed 's/^--extern //' | sort -u); do
		[ -f "$kdir/rust/lib$c.so" ] || need+=("rust/lib$c.rmeta")
	done
else
	need+=(rust/libkernel.rmeta)
fi
arch=""
for a in X86:x86 ARM64:arm64 RISCV:riscv LOONGARCH:loongarch UML:um ARM:arm; do
	on "CONFIG_${a%%:*}" && { arch=${a#*:}; break; }
done
if [ -n "$arch" ] && grep -qs 'scripts/target\.json' "$src/arch/$arch/Makefile" ||
	{ [ "$arch" = x86 ] && [ ! -f "$src/arch/x86/Makefile" ]; }; then
	need+=(scripts/target.json)
fi
on CONFIG_RUST_INLINE_HELPERS && need+=(rust/helpers/helpers_module.bc)
missing=()
for f in "${need[@]}"; do
	[ -e "$kdir/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	case $os in
	debian) hint="install linux-headers-$release-rust, the Rust metadata package of this kernel (Debian's headers ship none; the rfl-modules project builds it: make distro-kdir, docs/dkms.md)" ;;
	ubuntu) hint="install linux-lib-rust-$release, Ubuntu's Rust metadata package of this kernel (apt install linux-lib-rust-$release)" ;;
	arch) hint="reinstall the kernel's headers package (Arch's linux-headers ships rust/), or point KDIR at the kernel's build tree" ;;
	*) hint="these come from the kernel's own build (modules_prepare with its .config and rustc): install the headers package that ships them, or point KDIR at the kernel's build tree" ;;
	esac
	problem "the kernel headers at $kdir lack the Rust metadata (missing: ${missing[*]}): $hint"
fi

# E0514 otherwise: the metadata must come from this very rustc. The
# version string sits in the rmeta header, right after its magic.
if [ $rustc_ok = 1 ] && [ -f "$kdir/rust/libcore.rmeta" ]; then
	made=$(head -c 4096 "$kdir/rust/libcore.rmeta" | tr -c '[:print:]' '\n' | grep -m1 -oE 'rustc [0-9]+\.[0-9]+\.[0-9]+[^)]*\)' || true)
	have_short=$(grep -oE '^rustc [0-9]+\.[0-9]+\.[0-9]+[^)]*\)' <<<"$have")
	if [ -n "$made" ] && [ "$made" != "$have_short" ]; then
		problem "the kernel's Rust metadata ($kdir/rust/libcore.rmeta) was written by '$made', not by '$have', the kernel's rustc: rebuild or reinstall the metadata made with the kernel's rustc"
	fi
fi

# The C compiler of the kernel's build.
cc_want=$(cfg CONFIG_CC_VERSION_TEXT)
if on CONFIG_CC_IS_CLANG; then
	llvm=${LLVM:-1}
	case $llvm in
	-*) sfx=$llvm pfx="" ;;
	*/) sfx="" pfx=$llvm ;;
	*) sfx="" pfx="" ;;
	esac
	cc=${CC:-${pfx}clang$sfx}
	clang_ver=$(cfg CONFIG_CLANG_VERSION)
	clang_major=""
	[ -n "$clang_ver" ] && clang_major=$((clang_ver / 10000))
	miss=()
	for t in "$cc" "${pfx}ld.lld$sfx" "${pfx}llvm-ar$sfx" "${pfx}llvm-nm$sfx"; do
		command -v "$t" >/dev/null 2>&1 || miss+=("$t")
	done
	on CONFIG_RUST_INLINE_HELPERS && { command -v "${pfx}llvm-link$sfx" >/dev/null 2>&1 || miss+=("${pfx}llvm-link$sfx"); }
	if [ ${#miss[@]} -gt 0 ]; then
		case $os in
		debian | ubuntu) how="apt install clang${clang_major:+-$clang_major} lld${clang_major:+-$clang_major} llvm${clang_major:+-$clang_major}" ;;
		*) how="install clang, lld and llvm${clang_major:+ $clang_major}" ;;
		esac
		problem "the kernel was built with clang ('$cc_want'), and ${miss[*]} not found: $how (Kbuild's LLVM=${LLVM:-1} names them)"
	fi
elif on CONFIG_CC_IS_GCC; then
	# The first word of the version text is the compiler's name as the
	# kernel's build ran it (x86_64-linux-gnu-gcc-14 on Debian).
	gcc_name=${cc_want%% *}
	cc=${CC:-}
	if [ -z "$cc" ]; then
		cc=gcc
		# Debian's headers name the kernel's compiler (gcc-14 with its
		# target prefix) in .kernelvariables, which their Makefile reads.
		grep -qs '^CC *=.*gcc-[0-9]' "$kdir/.kernelvariables" && cc=$gcc_name
	fi
	if ! command -v "$cc" >/dev/null 2>&1; then
		gcc_major=$(sed -n 's/.*gcc-\([0-9]*\)$/\1/p' <<<"$gcc_name")
		case $os in
		debian | ubuntu) how="apt install gcc${gcc_major:+-$gcc_major}" ;;
		*) how="install the gcc that built the kernel" ;;
		esac
		problem "the kernel was built with '$cc_want', and $cc is not installed: $how"
	fi
fi

if [ $bindgen = 1 ]; then
	bg=${BINDGEN:-bindgen}
	bg_want=$(cfg CONFIG_BINDGEN_VERSION_TEXT)
	if ! command -v "$bg" >/dev/null 2>&1; then
		case $os in
		debian | ubuntu) how="apt install bindgen libclang-dev" ;;
		*) how="install bindgen (cargo install bindgen-cli) and libclang" ;;
		esac
		problem "bindgen ($bg) is not installed; this module generates bindings and the kernel used '${bg_want:-bindgen}': $how"
	fi
fi

if [ $problems -gt 0 ]; then
	exit 1
fi
[ $quiet = 1 ] || echo "rust-probe: $release: Rust modules can be built ($have, metadata in $kdir/rust)" >&2
exit 0
