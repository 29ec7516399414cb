#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (README: `make check`). From a bare machine: installs
# the toolchain, builds (or reuses) the cached kernel, builds the modules,
# runs the lint gates, the host tests, the bench's self-tests, and every VM
# scenario with its KUnit cases. Usage: scripts/check.sh [FILTER...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
filters=("$@")

scripts/setup-toolchain.sh
kdir=$(scripts/build-kernel.sh main)
export KDIR=$kdir

log "modules: make KDIR=$kdir"
make -s KDIR="$kdir"

data="$REPO_ROOT/target/bench-data"
export BENCH_DATA=$data
mkdir -p "$data"
log "test data: FAT images (mkfs.fat + mtools), malformed ones, guest tools, version-check variants"
rm -rf "$data/images" "$data/bad"
scripts/make-fat-images.sh "$data/images" >/dev/null
python3 scripts/make-bad-images.py "$data/images/fat12-basic.img" "$data/bad" >/dev/null
gcc -static -O2 -Wall -o "$data/fatls" tests/guest/fatls.c
gcc -static -O2 -Wall -o "$data/rvfat" tests/guest/rvfat.c
scripts/build-variants.sh "$kdir" "$data/variants"

if [ ${#filters[@]} = 0 ]; then
	scripts/lint.sh
	log "host tests: cargo test"
	cargo test --quiet --workspace 2>&1 | grep -E '^(test result|running|error|failures|---- )' || true
	cargo test --quiet --workspace >/dev/null 2>&1 || { cargo test --workspace; die "host tests failed"; }
	log "bench self-tests (host side)"
	tests/host/bench-selftest.sh
fi

log "VM scenarios"
cargo build --quiet --release -p bench
./target/release/bench --kdir "$kdir" "${filters[@]}"
log "check: all passed in $(($(date +%s) - start))s"
echo "$(($(date +%s) - start))" >"$data/last-check-seconds"
