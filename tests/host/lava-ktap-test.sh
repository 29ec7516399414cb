#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# How the guest's LAVA reporter (scripts/guest/lava-scenario, ktap_cases)
# reads a scenario's KTAP, run on the host with busybox's awk as in the
# guest: it must agree with the harness's parser (tests/harness/src/ktap.rs)
# on passed, failed and skipped cases, a suite cut short and a suite that
# printed nothing, since both turn the same KTAP into test results.
# `make lava` runs it before writing a job.
set -uo pipefail
REPORT_PREFIX=host::lava-ktap::
. "$(dirname "$0")/lib.sh"

busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || { echo "error: busybox is not installed (scripts/setup-toolchain.sh installs busybox-static)" >&2; exit 1; }
mkdir -p "$tmp/bin"
ln -s "$busybox" "$tmp/bin/awk"
# The function alone: the rest of the script runs a scenario.
sed -n '/^ktap_cases() {/,/^}/p' "$root/scripts/guest/lava-scenario" >"$tmp/ktap_cases.sh"
[ -s "$tmp/ktap_cases.sh" ] || { echo "error: no ktap_cases() in scripts/guest/lava-scenario" >&2; exit 1; }

# The harness's own sample (ktap.rs, GOOD) inside the markers, and a cut one.
cat >"$tmp/out" <<'EOF'
== noise before
VM-KTAP-BEGIN demo
KTAP version 1
    KTAP version 1
    # Subtest: demo
    # module: m
    1..3
    ok 1 first
    # second: ASSERTION FAILED at x.rs:3
    not ok 2 second
    ok 3 third # SKIP not here
# demo: pass:1 fail:1 skip:1 total:3
not ok 1 demo
VM-KTAP-END
VM-KTAP-BEGIN cut
KTAP version 1
    # Subtest: cut
    1..3
    ok 1 a
VM-KTAP-END
EOF
cases() { PATH="$tmp/bin:$PATH" out="$tmp/out" sh -c '. "$0"; ktap_cases "$1"' "$tmp/ktap_cases.sh" "$1"; }

got=$(cases demo)
want=$'case pass first\ncase fail second\ncase skip third'
[ "$got" = "$want" ] && report cases ok || report cases FAILED "got:"$'\n'"$got"
got=$(cases cut)
want=$'case pass a\nproblem suite cut: planned 3 cases, reported 1 (crashed?)'
[ "$got" = "$want" ] && report cut-short ok || report cut-short FAILED "got:"$'\n'"$got"
got=$(cases gone)
want='problem suite gone printed no KTAP (missing or crashed)'
[ "$got" = "$want" ] && report missing ok || report missing FAILED "got:"$'\n'"$got"

# The end-of-scenario declaration the verdict requires (scenario_done in
# the guest library), read with busybox's grep as in the guest.
ln -s "$busybox" "$tmp/bin/grep"
sed -n '/^scenario_declared() {/p' "$root/scripts/guest/lava-scenario" >"$tmp/declared.sh"
[ -s "$tmp/declared.sh" ] || { echo "error: no scenario_declared() in scripts/guest/lava-scenario" >&2; exit 1; }
declared() {
	printf '%b' "$1" >"$tmp/decl.out"
	PATH="$tmp/bin:$PATH" sh -c '. "$0"; scenario_declared "$1"' "$tmp/declared.sh" "$tmp/decl.out"
}
bad=""
declared '== a\nscenario-done: 12 checks\n' || bad="$bad 12-checks"
declared '== a\nFAIL: x\n' && bad="$bad no-line"
declared 'scenario-done: 0 checks\n' && bad="$bad zero-checks"
declared 'echo scenario-done: 3 checks\n' && bad="$bad not-at-line-start"
[ -z "$bad" ] && report scenario-done ok || report scenario-done FAILED "wrong verdicts:$bad"
exit $failed
