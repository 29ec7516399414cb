#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel matrix (README: `make matrix`): the VM scenarios on every kernel
# configuration the project knows, each from its own cached tree:
#   main           kernel/config.fragment (what `make check` runs on)
#   nomodversions  the same without CONFIG_MODVERSIONS (the CRC parts of
#                  the version-check scenario report SKIP)
#   debug          plus kernel/debug.fragment (KASAN, kmemleak, lockdep),
#                  run as `make check-debug` runs it
# One result set covers them all: target/matrix/{junit.xml,kcidb.json} (the
# KCIDB file validated by kcidb-io), table.md (configuration x scenario
# family); --update-readme writes the table into the README. A failing
# configuration does not stop the others; the exit status says whether all
# passed.
# Usage: scripts/matrix.sh [--update-readme] [CONFIG...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

update=""
[ "${1:-}" = --update-readme ] && { update=--update-readme; shift; }
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(main nomodversions debug)

start=$(date +%s)
step() { log "[$(($(date +%s) - start))s] $*"; }
out="$REPO_ROOT/target/matrix"
rm -rf "$out"
mkdir -p "$out"

scripts/setup-toolchain.sh
scripts/kcidb-venv.sh >/dev/null
cargo build --quiet --release -p harness

failed=()
sets=()
for config in "${configs[@]}"; do
	dir="$out/$config"
	mkdir -p "$dir"
	step "$config: kernel tree (cached after its first build, about 6 minutes cold)"
	kdir=$(scripts/build-kernel.sh "$config")
	rc=0
	if [ "$config" = debug ]; then
		step "$config: scenarios as make check-debug runs them"
		scripts/check-debug.sh --results "$dir" || rc=$?
		for part in "$dir"/*/; do sets+=("$config=${part%/}"); done
	else
		step "$config: modules, test data, scenarios"
		make -s KDIR="$kdir" >/dev/null
		TEST_DATA=$(scripts/test-data.sh --variants "$kdir")
		export TEST_DATA
		./target/release/harness --kdir "$kdir" --junit "$dir/all/junit.xml" --ktap "$dir/all/ktap" \
			--kcidb "$dir/all/kcidb.json" || rc=$?
		sets+=("$config=$dir/all")
	fi
	[ $rc = 0 ] || failed+=("$config")
done

step "one result set for the matrix"
python3 scripts/matrix-report.py $update "$out" "${sets[@]}"
scripts/kcidb-venv.sh --validate "$out/kcidb.json" >&2 ||
	die "kcidb-io's validator rejected the matrix submission $out/kcidb.json" "fix scripts/matrix-report.py (the schema error is above)"
cat "$out/table.md"
log "matrix: results in $out/junit.xml, $out/kcidb.json, $out/table.md"
[ ${#failed[@]} = 0 ] || die "scenarios failed on: ${failed[*]}" "see the FAILED tests above; reports in $out/<config>/"
log "matrix: all passed on ${configs[*]} in $(($(date +%s) - start))s"
