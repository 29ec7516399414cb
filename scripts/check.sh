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

step "test data: FAT images (mkfs.fat + mtools), malformed ones, guest tools, version-check variants"
BENCH_DATA=$(scripts/test-data.sh --variants "$kdir")
export BENCH_DATA

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
