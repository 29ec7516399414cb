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
	rc=0
	mkdir -p target
	cargo test --quiet --workspace >target/host-tests.log 2>&1 || rc=$?
	grep -E '^(test result|running|error|failures|---- )' target/host-tests.log || true
	[ $rc = 0 ] || { cat target/host-tests.log; die "host tests failed" "see the output above"; }
	step "bench self-tests (host side)"
	tests/host/bench-selftest.sh
fi

step "VM scenarios"
cargo build --quiet --release -p bench
./target/release/bench --kdir "$kdir" "${filters[@]}"
log "check: all passed in $(($(date +%s) - start))s"
