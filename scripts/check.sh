#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (README: `make check`). From a bare machine: installs
# the toolchain, builds (or reuses) the cached kernel, builds the modules,
# runs the lint gates, the host tests, the build scripts' self-tests, and every VM
# scenario with its KUnit cases.
#
# Usage: scripts/check.sh [--kernel main|debian] [--junit FILE] [--ktap DIR] [--kcidb FILE] [FILTER...]
# (make check [KERNEL=debian] [T=<filter>] [JUNIT=FILE] [KTAP=DIR] [KCIDB=FILE])
#   --kernel debian  the VM scenarios on Debian's own kernel, with its own
#                 modules, the project's built against the tree of
#                 'make distro-kdir DISTRO=debian' (prepared beforehand);
#                 the lint, host tests and host self-tests are the main
#                 kernel's (make check) and do not run
#   FILTER        run only the scenarios whose name contains it (and skip
#                 the lint, host tests and host self-tests)
#   --junit FILE  JUnit XML, one testcase per scenario and KUnit case
#                 (default target/check-results/junit.xml)
#   --ktap DIR    the KTAP each scenario printed, <group>.<name>.ktap
#                 (default target/check-results/ktap)
#   --kcidb FILE  a KCIDB submission, console logs in FILE.logs/, checked by
#                 kcidb-io's validator (scripts/kcidb-venv.sh): a rejected
#                 file fails the check (default target/check-results/kcidb.json)
# The three are written on every run, the text report stays as it is.
# VM_JOBS=N: VMs at a time (default: one per CPU).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start=$(date +%s)
results="$REPO_ROOT/target/check-results"
junit="$results/junit.xml" ktap="$results/ktap" kcidb="$results/kcidb.json"
# Relative paths are the caller's: prepare changes to the repository.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
filters=()
kernel=main gates=1
while [ $# -gt 0 ]; do
	case $1 in
	--junit | --ktap | --kcidb)
		[ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a path" "scripts/check.sh $1 <path> [FILTER...]"
		case $1 in
		--junit) junit=$(abs "$2") ;;
		--ktap) ktap=$(abs "$2") ;;
		--kcidb) kcidb=$(abs "$2") ;;
		esac
		shift 2
		;;
	--kernel)
		[ $# -ge 2 ] || die "--kernel needs main or debian" "scripts/check.sh --kernel debian [FILTER...]"
		kernel=$2
		shift 2
		;;
	*) filters+=("$1"); shift ;;
	esac
done
# Each step says when it starts, so the log shows where the time goes.
step() { log "[$(($(date +%s) - start))s] $*"; }

case $kernel in
main)
	prepare main
	kdir=$KDIR
	;;
debian)
	cd "$REPO_ROOT"
	scripts/setup-toolchain.sh
	kdir=$(scripts/distro-kdir.sh --print debian)
	make -s KDIR="$kdir"
	# The gates below judge the sources with the main kernel: make check.
	gates=0
	;;
*) die "unknown kernel '$kernel'" "use --kernel main or --kernel debian" ;;
esac
step "modules built against $kdir"

# Before the host tests, so their KCIDB test runs the real validator too.
step "KCIDB validator: kcidb-io in a venv"
scripts/kcidb-venv.sh >/dev/null

step "test data: FAT images (mkfs.fat + mtools), malformed ones, guest tools, version-check variants"
TEST_DATA=$(scripts/test-data.sh --variants "$kdir")
export TEST_DATA

if [ ${#filters[@]} = 0 ] && [ $gates = 1 ]; then
	step "lint"
	scripts/lint.sh
	tests/host/docs-check.sh # README.md and docs/ name only targets, options and paths that exist
	step "host tests: cargo test"
	rc=0
	mkdir -p target
	cargo test --quiet --workspace >target/host-tests.log 2>&1 || rc=$?
	grep -E '^(test result|running|error|failures|---- )' target/host-tests.log || true
	[ $rc = 0 ] || { cat target/host-tests.log; die "host tests failed" "see the output above"; }
	step "build-kernel.sh self-tests (host side)"
	tests/host/build-kernel-test.sh
	step "check-symvers.sh self-tests: the modversions gate on planted zero CRCs"
	tests/host/symvers-test.sh
	step "rust-probe.sh self-tests: one line per missing piece of a Rust module build"
	tests/host/dkms-probe-test.sh "$kdir"
fi

step "VM scenarios"
cargo build --quiet --release -p harness
rm -f "$kcidb"
rc=0
./target/release/harness ${VM_JOBS:+--jobs "$VM_JOBS"} --kdir "$kdir" --junit "$junit" --ktap "$ktap" --kcidb "$kcidb" "${filters[@]}" || rc=$?
# Failed scenarios still leave their reports, and a submission of failures
# must be as valid as one of passes: validate either way.
step "KCIDB submission: validating $kcidb"
[ -f "$kcidb" ] || die "the harness wrote no KCIDB submission at $kcidb (exit $rc)" "see the harness output above"
scripts/kcidb-venv.sh --validate "$kcidb" >&2 ||
	die "kcidb-io's validator rejected the KCIDB submission $kcidb" \
		"fix the writer in tests/harness/src/kcidb.rs (the schema error is above)"
log "check: results in $junit, $ktap/, $kcidb"
[ $rc = 0 ] || die "VM scenarios failed (exit $rc)" "see the FAILED tests above; reports in $results"
log "check: all passed in $(($(date +%s) - start))s"
