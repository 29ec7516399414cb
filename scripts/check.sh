#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (README: `make check`). From a bare machine: installs
# the toolchain, builds (or reuses) the cached kernel, builds the modules,
# runs the lint gates, the host tests, the build scripts' self-tests, and every VM
# scenario with its KUnit cases (the gates run beside the VMs: the VMs' longest
# stretches are spent waiting).
#
# Two tiers (docs/testing-tiers.md): `make check` runs the repetition
# scenarios at counts that still catch a leak or a race; `make soak`
# (--soak) runs those scenarios, and only those, at the full counts.
#
# Usage: scripts/check.sh [--soak] [--kernel main|debian] [--junit FILE] [--ktap DIR] [--kcidb FILE] [FILTER...]
# (make check [KERNEL=debian] [T=<filter>] [JUNIT=FILE] [KTAP=DIR] [KCIDB=FILE];
#  make soak [T=<filter>])
#   --soak        the soak tier: the scenarios with counts of their own
#                 (`reps` in scripts/guest/lib.sh), at their full counts; no
#                 gates; results in target/soak-results/
#   --kernel debian  the VM scenarios on Debian's own kernel, with its own
#                 modules, the project's built against the tree of
#                 'make distro-kdir DISTRO=debian' (prepared beforehand);
#                 the lint, host tests and host self-tests are the main
#                 kernel's (make check) and do not run
#   FILTER        run only the scenarios whose name contains it (and skip
#                 the lint, host tests and host self-tests)
#   --junit FILE  JUnit XML, one testcase per scenario and KUnit case
#                 (default target/check-results/junit.xml;
#                 target/check-results-debian/ for --kernel debian)
#   --ktap DIR    the KTAP each scenario printed, <group>.<name>.ktap
#                 (default target/check-results/ktap)
#   --kcidb FILE  a KCIDB submission, console logs in FILE.logs/, checked by
#                 kcidb-io's validator (scripts/kcidb-venv.sh): a rejected
#                 file fails the check (default target/check-results/kcidb.json;
#                 a FILTER run checks it only when --kcidb is given: the
#                 validator's 0.1-0.2 s is a tenth of the inner loop's VM)
# The three are written on every run, the text report stays as it is.
# VM_JOBS=N: VMs at a time (default: one per CPU).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start=$(date +%s%N)
# Relative paths are the caller's: prepare changes to the repository.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
filters=()
soak=0 kernel=main gates=1 kcidb_given=0
junit="" ktap="" kcidb=""
while [ $# -gt 0 ]; do
	case $1 in
	--soak) soak=1; shift ;;
	--junit | --ktap | --kcidb)
		[ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a path" "scripts/check.sh $1 <path> [FILTER...]"
		case $1 in
		--junit) junit=$(abs "$2") ;;
		--ktap) ktap=$(abs "$2") ;;
		--kcidb) kcidb=$(abs "$2") kcidb_given=1 ;;
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
# One run at a time in a clone: results and timings are per tier and
# kernel, but the test data is shared, and the version-check variants in
# it are built for one kernel tree (a main and a Debian run side by side
# loaded each other's: "Invalid module format").
mkdir -p "$REPO_ROOT/target"
exec 9>"$REPO_ROOT/target/.check.lock"
# (The lock's descriptor is closed for the harness and the gates: a VM's
# helper that outlived the run must not hold it for the next one.)
flock -n 9 || die "another make check or make soak is running in this clone" \
	"wait for it to end, or run the second one from another clone (git clone $REPO_ROOT <dir>)"
# Each tier, and Debian's kernel, keeps its own results (and timings).
results="$REPO_ROOT/target/check-results"
[ $soak = 1 ] && results="$REPO_ROOT/target/soak-results"
[ "$kernel" = debian ] && results="$REPO_ROOT/target/check-results-debian"
junit=${junit:-$results/junit.xml} ktap=${ktap:-$results/ktap} kcidb=${kcidb:-$results/kcidb.json}
# Each step says when it starts, so the log shows where the time goes.
elapsed() { local t=$((($(date +%s%N) - start) / 10000000)); printf '%d.%02d' $((t / 100)) $((t % 100)); }
step() { log "[$(elapsed)s] $*"; }

case $kernel in
main)
	quick=0
	[ ${#filters[@]} = 0 ] || quick=1
	PREPARE_QUICK=$quick prepare main
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

[ $soak = 0 ] || gates=0
[ ${#filters[@]} = 0 ] || gates=0
# What the scenarios need, side by side: KCIDB's validator (before the host
# tests, so their KCIDB test runs the real one too), the test data (the
# version-check variants only when a scenario run uses them: they are
# rebuilt whenever rust_vfat_demo changes) and the harness.
step "KCIDB validator, test data, harness build"
variants=(--variants "$kdir")
if [ ${#filters[@]} -gt 0 ]; then
	cargo build --quiet --release -p harness
	variants=()
	for n in $(./target/release/harness --list "${filters[@]}" 2>/dev/null); do
		grep -q 'TEST_DATA/variants' "tests/scenarios/${n%%::*}/${n#*::}.sh" 2>/dev/null && variants=(--variants "$kdir")
	done
fi
mkdir -p target
scripts/kcidb-venv.sh >/dev/null &
venv=$!
scripts/test-data.sh "${variants[@]}" >target/test-data.path &
data=$!
[ ${#filters[@]} -gt 0 ] || cargo build --quiet --release -p harness
wait $venv || die "creating the KCIDB validator's venv failed" "see scripts/kcidb-venv.sh's message above"
wait $data || die "building the test data failed" "see scripts/test-data.sh's message above"
TEST_DATA=$(cat target/test-data.path)
export TEST_DATA

# The gates go beside the VM scenarios, each into its own log, shown when it
# fails (the harness's report stays on the terminal as it comes).
gates_log="$results/gates"
gate_pid=""
if [ $gates = 1 ]; then
	rm -rf "$gates_log"
	mkdir -p "$gates_log"
	(
		gate() { # name command...
			local n=$1 t0=$SECONDS
			shift
			if "$@" >"$gates_log/$n.log" 2>&1; then
				log "gate $n: ok ($((SECONDS - t0))s)"
			else
				log "gate $n: FAILED ($((SECONDS - t0))s), its output:"
				cat "$gates_log/$n.log" >&2
				touch "$gates_log/failed"
			fi
		}
		gate lint scripts/lint.sh
		gate host-tests cargo test --quiet --workspace
		grep -E '^(test result|error|failures)' "$gates_log/host-tests.log" >&2 || true
		gate docs-check tests/host/docs-check.sh
		gate build-kernel-self-tests tests/host/build-kernel-test.sh
		gate symvers-self-tests tests/host/symvers-test.sh
		gate rust-probe-self-tests tests/host/dkms-probe-test.sh "$kdir"
		gate cc-probe-cache-self-tests tests/host/cc-probe-cache-test.sh
		gate tool-answers-self-tests tests/host/tool-answers-test.sh
		gate setup-toolchain-self-tests tests/host/setup-toolchain-test.sh
		gate power-cut-summary-self-tests tests/host/power-cut-summary-test.sh
	) 9>&- &
	gate_pid=$!
	step "gates (lint, docs check, host tests, self-tests of build-kernel.sh, check-symvers.sh, rust-probe.sh, cc-probe-cache.sh, the toolchain's answers, setup-toolchain.sh, power-cut-summary.py) beside the VM scenarios"
fi

step "VM scenarios$([ $soak = 1 ] && echo ", soak tier")"
rm -f "$kcidb"
rc=0
durations=()
[ "$kernel" = main ] || durations=(--durations "target/harness-durations-$kernel.txt")
./target/release/harness ${VM_JOBS:+--jobs "$VM_JOBS"} $([ $soak = 1 ] && echo --soak) --kdir "$kdir" \
	--junit "$junit" --ktap "$ktap" --kcidb "$kcidb" "${durations[@]}" "${filters[@]}" 9>&- || rc=$?
if [ -n "$gate_pid" ]; then
	step "waiting for the gates"
	wait $gate_pid || true
fi
# Failed scenarios still leave their reports, and a submission of failures
# must be as valid as one of passes: validate either way.
[ -f "$kcidb" ] || die "the harness wrote no KCIDB submission at $kcidb (exit $rc)" "see the harness output above"
if [ ${#filters[@]} = 0 ] || [ $kcidb_given = 1 ]; then
	step "KCIDB submission: validating $kcidb"
	scripts/kcidb-venv.sh --validate "$kcidb" >&2 ||
		die "kcidb-io's validator rejected the KCIDB submission $kcidb" \
			"fix the writer in tests/harness/src/kcidb.rs (the schema error is above)"
fi
log "check: results in $junit, $ktap/, $kcidb"
[ $rc = 0 ] || die "VM scenarios failed (exit $rc)" "see the FAILED tests above; reports in $results"
# (Only this run's gates: a filtered run has none, and the logs of an
# earlier full run stay for reading.)
[ $gates = 0 ] || [ ! -e "$gates_log/failed" ] || die "a gate failed" "see its output above; logs in $gates_log/"
log "check: all passed in $(elapsed)s"
