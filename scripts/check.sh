#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (README: `make check`). From a bare machine: installs
# the toolchain, builds (or reuses) the cached kernel, builds the modules,
# runs the lint gates, the host tests, the bench's self-tests, and every VM
# scenario with its KUnit cases. Usage: scripts/check.sh [FILTER...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start=$(date +%s)
filters=("$@")
# Each step says when it starts, so the log shows where the time goes.
step() { log "[$(($(date +%s) - start))s] $*"; }

prepare main
kdir=$KDIR
step "modules built against $kdir"

data="$REPO_ROOT/target/bench-data"
export BENCH_DATA=$data
mkdir -p "$data"
step "test data: FAT images (mkfs.fat + mtools), malformed ones, guest tools, version-check variants"
# Each piece is rebuilt only when what makes it changed (a stamp per piece).
fresh() { # name inputs...: true if the stamp of `name` matches its inputs
	local name=$1
	shift
	local want
	want=$({ cat "$@"; echo "$kdir"; } | sha256sum | cut -c1-16)
	[ "$(cat "$data/.$name.stamp" 2>/dev/null)" = "$want" ] && return 0
	echo "$want" >"$data/.$name.stamp.new"
	return 1
}
done_stamp() { mv "$data/.$1.stamp.new" "$data/.$1.stamp"; }
if ! fresh images scripts/make-fat-images.sh scripts/make-bad-images.py; then
	rm -rf "$data/images" "$data/bad"
	scripts/make-fat-images.sh "$data/images" >/dev/null
	python3 scripts/make-bad-images.py "$data/images/fat12-basic.img" "$data/bad" >/dev/null
	done_stamp images
fi
for tool in fatls rvfat; do
	if ! fresh "$tool" "tests/guest/$tool.c"; then
		gcc -static -O2 -Wall -o "$data/$tool" "tests/guest/$tool.c"
		done_stamp "$tool"
	fi
done
if ! fresh variants rust_vfat_demo/*.rs rust_vfat_demo/Kbuild scripts/build-variants.sh scripts/rust-exports.sh; then
	scripts/build-variants.sh "$kdir" "$data/variants"
	done_stamp variants
fi

if [ ${#filters[@]} = 0 ]; then
	step "lint"
	scripts/lint.sh
	step "host tests: cargo test"
	cargo test --quiet --workspace 2>&1 | grep -E '^(test result|running|error|failures|---- )' || true
	cargo test --quiet --workspace >/dev/null 2>&1 || { cargo test --workspace; die "host tests failed"; }
	step "bench self-tests (host side)"
	tests/host/bench-selftest.sh
fi

step "VM scenarios"
cargo build --quiet --release -p bench
./target/release/bench --kdir "$kdir" "${filters[@]}"
log "check: all passed in $(($(date +%s) - start))s"
echo "$(($(date +%s) - start))" >"$data/last-check-seconds"
