#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The C compiler Kbuild runs for this project's modules: the compiler
# itself, except that the answers to Kbuild's option probes are kept.
#
# Why: every `make -C KDIR M=...` evaluates the kernel Makefiles' option
# probes anew (cc-option, as-option: about 23 on x86 with clang, each
# compiling /dev/null with one more flag). At some 22 ms a clang start
# they were half a second of every module build, a sixth of the inner
# loop (docs/testing-tiers.md). A probe's answer is its exit status; it
# depends only on the compiler binary and the flags, so it is kept under
# the cache root, keyed by both, and every other call runs the compiler.
#
# Usage (scripts/kbuild.sh passes it): make CC="cc-probe-cache.sh clang-19"
#        cc-probe-cache.sh --id clang-19   (the compiler's identity, which
#        kbuild.sh takes once per build and passes on as CC_PROBE_CACHE_ID)
#
# The compiler by its path, inode, size and times (an upgrade in place
# changes them).
compiler_id() { stat -L -c '%n %i %s %Y %Z' "$1" 2>/dev/null; }
if [ "${1:-}" = --id ]; then
	bin=$(command -v "${2:-}") && compiler_id "$bin"
	exit
fi
cc=$1
shift
# A probe: try-run's `... -c -x c /dev/null -o "$TMP"` (cc-option) or
# `-x assembler-with-cpp /dev/null` (as-option), its output thrown away.
probe=0 out=""
if [[ $# -ge 6 && ${*: -6:1} = -c && ${*: -2:1} = -o ]] &&
	[[ ${*: -5:3} = "-x c /dev/null" || ${*: -5:3} = "-x assembler-with-cpp /dev/null" ]]; then
	probe=1 out=${*: -1}
fi
[ $probe = 1 ] || exec "$cc" "$@"

bin=$(command -v "$cc") || exec "$cc" "$@"
dir="${RFL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfl-modules}/cc-probes"
# Taken here only when kbuild.sh did not pass it for this compiler: a
# stat and a hash per probe were half of a cached probe's time.
if [[ ${CC_PROBE_CACHE_ID:-} != "$bin "* ]]; then
	CC_PROBE_CACHE_ID=$(compiler_id "$bin") || exec "$cc" "$@"
fi
# One file per compiler, a line per probe: its exit status, a tab, and its
# flags without the output path (each ended by the unit separator, which
# no flag holds).
file="$dir/${CC_PROBE_CACHE_ID//[\/ ]/_}"
args=("${@:1:$#-1}")
printf -v want '%s\x1f' "${args[@]}"
if [ -r "$file" ]; then
	while IFS=$'\t' read -r rc flags; do
		[ "$flags" = "$want" ] || continue
		case $rc in
		0) : >"$out" && exit 0 ;;
		[1-9]*) exit "$rc" ;;
		esac
	done <"$file"
fi
"$cc" "$@"
rc=$?
# Kept only when the compiler ran to an answer (not killed by a signal).
# One write of one line, appended: builds running side by side add whole
# lines.
if [ $rc -lt 128 ] && mkdir -p "$dir" 2>/dev/null; then
	printf '%s\t%s\n' "$rc" "$want" >>"$file"
fi
exit $rc
