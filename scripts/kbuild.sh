#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs Kbuild (make -C KDIR ...) the way the kernel tree needs it:
# - a tree built with GCC (CONFIG_CC_IS_GCC) gets no LLVM= (the Makefile
#   passes LLVM=-19 by default, for the bench's clang-built kernel);
# - a distribution tree from scripts/distro-kdir.sh is built inside its
#   chroot, with the chroot's compiler: the one that built that kernel
#   (its crate metadata is only readable by the very same rustc, and its
#   Kbuild tools need the chroot's glibc). The directories named by M=,
#   MO= and INSTALL_MOD_PATH= are bind-mounted at the same paths, so every
#   path Kbuild writes into the project's files means the same inside and
#   out. RUST_LIB_SRC= and LLVM= are the host's and are left out there.
# Usage: kbuild.sh KDIR [make arguments...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || die "usage: $0 KDIR [make arguments...]" "give the kernel build tree first"
kdir=$1; shift

gcc_tree=0
grep -q '^CONFIG_CC_IS_GCC=y' "$kdir/.config" 2>/dev/null && gcc_tree=1
root=$(distro_root "$kdir")
args=()
binds=()
for a in "$@"; do
	case $a in
	LLVM=*) [ $gcc_tree = 1 ] && continue ;;
	RUST_LIB_SRC=*) [ -n "$root" ] && continue ;;
	M=/* | MO=/* | INSTALL_MOD_PATH=/*)
		if [ -n "$root" ]; then
			mkdir -p "${a#*=}"
			d=$(cd "${a#*=}" && pwd -P)
			binds+=(--bind "$d")
			a="${a%%=*}=$d"
		fi
		;;
	esac
	args+=("$a")
done

if [ -z "$root" ]; then
	# A clang tree: Kbuild's compiler (LLVM=-19: clang-19, LLVM=1: clang,
	# LLVM=/dir/: /dir/clang) through the probe cache, unless CC= is given.
	cc=""
	for a in "${args[@]}"; do
		case $a in
		CC=*) cc="" && break ;;
		LLVM=1) cc=clang ;;
		LLVM=*/) cc="${a#LLVM=}clang" ;;
		LLVM=-*) cc="clang${a#LLVM=}" ;;
		esac
	done
	if [ -n "$cc" ]; then
		args+=("CC=$REPO_ROOT/scripts/cc-probe-cache.sh $cc")
		# The compiler's identity, taken once for all the build's probes.
		CC_PROBE_CACHE_ID=$("$REPO_ROOT/scripts/cc-probe-cache.sh" --id "$cc") &&
			export CC_PROBE_CACHE_ID
	fi
	exec make -C "$kdir" "${args[@]}"
fi
# The project too, whatever M= names: its Kbuild files reach scripts/.
binds+=(--bind "$(cd "$REPO_ROOT" && pwd -P)")
inner=$(cd "$kdir" && pwd -P)
inner=${inner#"$(cd "$root" && pwd -P)"}
# make's own flags do not cross the chroot (its jobserver cannot): keep
# silence, set the jobs afresh.
flags=(-j"$(nproc)")
first=${MAKEFLAGS:-}
first=${first%% *}
case $first in -* | "") ;; *s*) flags+=(-s) ;; esac
in_chroot "$root" "${binds[@]}" -- make "${flags[@]}" -C "$inner" "${args[@]}"
