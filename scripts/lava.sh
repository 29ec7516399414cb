#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make lava`: writes a LAVA job for the test kernel and the freshly built
# modules into target/lava/ and validates it with the schema of Debian's
# lava-common (scripts/lava-env.sh, a chroot in the cache). The directory:
#   job.yaml          the job (device type qemu, x86_64): per VM scenario
#                     one deploy (kernel, the common ramdisk with the
#                     scenario's overlay, its SCSI disks), boot and test
#   bzImage           the test kernel
#   ramdisk.cpio      busybox, kmod, the kernel's and the project's modules,
#                     the guest's init and libraries (as vm-run.sh stages them)
#   scenarios/*.tar   each scenario's script, files= and disk facts
#   disks/            the SCSI disk images the scenarios attach
# Running it is `make lava-run` (scripts/lava-run.sh).
#
# Usage: scripts/lava.sh --kdir KDIR [--url-base URL] [FILTER...]
#                                                 write and validate (with
#                                                 --url-base the job names the
#                                                 artifacts URL/<path under
#                                                 target/lava>, not file://)
#        scripts/lava.sh --validate FILE...        validate job files only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out="$REPO_ROOT/target/lava"

# Validates with lava_common.schemas in the chroot. Unless --no-control,
# first shows that the validator rejects a broken copy of the first file
# (one test definition with a name LAVA refuses), so a pass means something.
validate() {
	local control=1
	[ "$1" = --no-control ] && { control=0; shift; }
	local root files=()
	root=$(scripts/lava-env.sh)
	for f in "$@"; do files+=("$(realpath "$f")"); done
	scripts/lava-env.sh --run --bind "$REPO_ROOT" --bind "$(dirname "${files[0]}")" -- \
		python3 - "$control" "${files[@]}" <<'EOF'
import copy
import sys

import yaml
from voluptuous import Invalid

from lava_common.schemas import validate

control, files = sys.argv[1] == "1", sys.argv[2:]


def check(data):
    try:
        validate(data, strict=True)
    except Invalid as e:
        return "%s (at %s)" % (e.msg, "/".join(str(p) for p in e.path))
    return None


bad = 0
for name in files:
    with open(name, encoding="utf-8") as f:
        job = yaml.safe_load(f)
    if control:
        broken = copy.deepcopy(job)
        tests = [a["test"] for a in broken.get("actions", []) if "test" in a]
        tests[0]["definitions"][0]["name"] = "a name with spaces"
        why = check(broken)
        if why is None:
            print("error: the schema accepted a deliberately broken job: validation proves nothing", file=sys.stderr)
            sys.exit(1)
        print("lava: control: a copy of %s with a bad test name is rejected: %s" % (name, why))
    why = check(job)
    if why:
        print("error: %s: rejected by lava_common.schemas: %s" % (name, why), file=sys.stderr)
        bad += 1
    else:
        acts = [next(iter(a)) for a in job["actions"]]
        print("lava: %s: valid (lava-common's job schema, strict): %d actions, %d test definitions"
              % (name, len(acts), acts.count("test")))
sys.exit(1 if bad else 0)
EOF
}

kdir="" url_base="" filters=()
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift 2 ;;
	--url-base) url_base=$2; shift 2 ;;
	--validate)
		shift
		[ $# -gt 0 ] || die "--validate needs job files" "scripts/lava.sh --validate target/lava/job.yaml"
		validate --no-control "$@" ||
			die "lava-common's schema rejected the job (the reason is above)" "fix the job file"
		exit 0
		;;
	-h | --help) sed -n '3,21p' "$0"; exit 0 ;;
	*) filters+=("$1"); shift ;;
	esac
done
[ -n "$kdir" ] || die "no kernel tree given" "make lava (which passes KDIR), or scripts/lava.sh --kdir <built test kernel tree>"
bzimage="$kdir/arch/x86/boot/bzImage"
[ -f "$bzimage" ] || die "no bzImage in $kdir" "build the test kernel: make kernel"
cd "$REPO_ROOT"

# The results the job will report come from the guest's KTAP reading:
# check it agrees with the harness's before writing a job around it.
log "lava: the guest's KTAP reading (tests/host/lava-ktap-test.sh)"
tests/host/lava-ktap-test.sh >"$out.ktap-test.log" 2>&1 ||
	{ cat "$out.ktap-test.log" >&2; die "the guest's KTAP reading disagrees with the harness (above)" "fix ktap_cases in scripts/guest/lava-scenario"; }
rm -f "$out.ktap-test.log"

log "lava: test data"
data=$(scripts/test-data.sh --variants "$kdir")

log "lava: the common ramdisk (busybox, kmod, modules, guest scripts)"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/rfl-lava.XXXXXX")
trap 'rm -rf "$work"' EXIT
modroot=$(scripts/stage-modules.sh "$kdir" "$REPO_ROOT" "$work/modroot")
stage="$work/root"
# What vm-run.sh puts in every guest, so a scenario meets the same system.
stage_guest "$stage" "$modroot"
cp scripts/guest/lava-scenario "$stage/vm/lava-scenario"
chmod +x "$stage/vm/lava-scenario"
touch "$stage/vm/lava-shell"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out/ramdisk.cpio"
cp "$bzimage" "$out/bzImage"

log "lava: the job"
release=$(cat "$kdir/include/config/kernel.release")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+dirty"
python3 scripts/lava-job.py --out "$out" --ramdisk "$out/ramdisk.cpio" --kernel "$out/bzImage" \
	--data "$data" --release "$release" --commit "$commit" --url-base "$url_base" "${filters[@]}" >"$work/count"

log "lava: validating $out/job.yaml with lava-common's schema"
validate "$out/job.yaml" ||
	die "lava-common's schema rejected $out/job.yaml (the reason is above)" "fix the writer, scripts/lava-job.py"
log "lava: $(cat "$work/count") in $out/job.yaml ($(du -sh "$out" | cut -f1)); run it with: make lava-run"
