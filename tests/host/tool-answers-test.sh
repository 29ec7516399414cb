#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cache of the toolchain's answers (scripts/lib.sh: tool_answers),
# with stand-in rustc, bindgen and clang that log their calls: the
# answers come from the tools once and from the cache after; a tool
# changed in place, another RUSTUP_TOOLCHAIN or a rust-toolchain file in
# the working directory asks again; a toolchain that answers nothing is
# asked again next time; the kernel key is what the tools' own answers
# give.
set -uo pipefail
REPORT_PREFIX=host::tool-answers::
. "$(dirname "$0")/lib.sh"
# (lib.sh puts ~/.cargo/bin, rustup's proxies, first on PATH: another HOME.)
export RFL_CACHE="$tmp/cache" RUSTUP_HOME="$tmp/rustup" HOME="$tmp/home"
mkdir -p "$tmp/bin" "$tmp/work" "$RUSTUP_HOME"
tool() { # name output
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n%s\n' "$1" "$tmp" "$2" >"$tmp/bin/$1"
	chmod +x "$tmp/bin/$1"
}
tool rustc 'case $1 in --version) echo "rustc 9.9.9 (fake 2030-01-01)" ;; --print) echo /opt/fake-sysroot ;; esac'
tool bindgen 'echo "bindgen 0.99.0"'
tool clang-19 'echo "Fake clang version 19.9.9"; echo "Target: x86_64"'
# Only the stand-ins: the real tools (in ~/.cargo/bin) are not on PATH.
PATH="$tmp/bin:/usr/bin:/bin"
cd "$tmp/work" || exit 1
calls() { [ -f "$tmp/calls" ] && wc -l <"$tmp/calls" || echo 0; }
# The library, as each script sources it (a new shell: nothing memoised).
ask() { bash -c '. "$1/scripts/lib.sh" && tool_answer "$2"' _ "$root" "$1"; }

a=$(ask rustc-version) b=$(ask rustc-sysroot) c=$(ask clang-version) d=$(ask bindgen-version)
if [ "$a|$b|$c|$d" = "rustc 9.9.9 (fake 2030-01-01)|/opt/fake-sysroot|Fake clang version 19.9.9|bindgen 0.99.0" ] &&
	[ "$(calls)" = 4 ]; then
	report answers-asked-once ok
else
	report answers-asked-once FAILED "answers '$a|$b|$c|$d', $(calls) tool calls (want 4)"
fi

v=$(bash -c '. "$1/scripts/lib.sh" && rustc_version' _ "$root")
[ "$v" = 9.9.9 ] && report rustc-version ok || report rustc-version FAILED "got '$v', want 9.9.9"

# The kernel key from the cache is the one the tools' answers give.
key=$(bash -c '. "$1/scripts/lib.sh" && kernel_key main' _ "$root")
want=$(bash -c '. "$1/scripts/lib.sh"
	{ echo "series=$KERNEL_SERIES"; cat "$CACHE_ROOT/downloads/linux-source.version" 2>/dev/null
	  cat "$KERNEL_FRAGMENT"; cat "$REPO_ROOT/kernel/build-kernel.version"
	  rustc --version; bindgen --version; clang-19 --version | head -1; } | sha256sum | cut -c1-16' _ "$root")
n=$(calls)
if [ "$key" = "$want" ]; then report kernel-key-unchanged ok; else report kernel-key-unchanged FAILED "got $key, want $want"; fi

asked_again() { # name, then the change already made
	local before=$1 what=$2
	ask rustc-version >/dev/null
	if [ "$(calls)" -gt "$before" ]; then report "$what" ok; else report "$what" FAILED "the cached answers were used"; fi
}
sleep 1.1
touch "$tmp/bin/rustc" # rustup update: the same path, new times
asked_again "$n" rustc-updated-asked-again
n=$(calls)
RUSTUP_TOOLCHAIN=nightly asked_again "$n" other-toolchain-asked-again
n=$(calls)
echo '[toolchain]' >"$tmp/work/rust-toolchain.toml"
asked_again "$n" rust-toolchain-file-asked-again
n=$(calls)
ask rustc-version >/dev/null
[ "$(calls)" = "$n" ] && report unchanged-not-asked ok || report unchanged-not-asked FAILED "$(($(calls) - n)) tool calls (want 0)"

# A toolchain not installed yet answers nothing: not kept.
rm "$tmp/bin/bindgen"
n=$(calls)
ask rustc-version >/dev/null
ask rustc-version >/dev/null
if [ "$(calls)" -ge $((n + 6)) ] && ! ls -a "$RFL_CACHE/tool-answers/" | grep -q '^\.tmp'; then
	report missing-tool-not-kept ok
else
	report missing-tool-not-kept FAILED "$(($(calls) - n)) tool calls (want 6 or more: asked each time); $(ls -a "$RFL_CACHE/tool-answers/")"
fi
exit $failed
