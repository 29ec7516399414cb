#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make lava-run`: runs the job `make lava` wrote (target/lava/job.yaml) once,
# end to end, under Debian's lava-dispatcher (lava-run, in the chroot of
# scripts/lava-env.sh) on this machine's QEMU as a LAVA "qemu" device
# (tests/lava/qemu-rfl.jinja2), then summarises LAVA's own results: per
# scenario its verdict and its KUnit cases' pass/fail/skip counts. Into
# target/lava-run/:
#   device.yaml    the rendered device dictionary
#   output.yaml    lava-run's log (one YAML record a line; the results are
#                  the records with "lvl": "results")
#   results.json   those result records
#   summary.txt    the summary printed at the end
# Exit status 0 only if LAVA finished the job and every result passed or
# was skipped. Not part of `make check` (about half an hour under TCG).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

job="$REPO_ROOT/target/lava/job.yaml"
run="$REPO_ROOT/target/lava-run"
[ -f "$job" ] || die "no LAVA job at $job" "run 'make lava' first"
# lava-run here reads the artifacts from this machine; a job written for a
# lab (make lava LAVA_URL=...) names them where the lab fetches them.
if grep -E '^ *url: "' "$job" | grep -vq '"file://'; then
	die "$job names its files by URL (make lava LAVA_URL=...): lava-run here needs file:// URLs" "run 'make lava' without LAVA_URL"
fi
scripts/lava-env.sh --dispatcher >/dev/null
rm -rf "$run"
mkdir -p "$run"

# What a LAVA server does before it hands a job to a worker: render the
# device dictionary through the device type's templates with the job's context.
scripts/lava-env.sh --run --bind "$REPO_ROOT" -- python3 - "$REPO_ROOT/tests/lava" "$job" "$run/device.yaml" <<'EOF'
import sys

import jinja2.sandbox
import yaml

dict_dir, job_file, out = sys.argv[1:]
with open(job_file, encoding="utf-8") as f:
    context = yaml.safe_load(f).get("context", {})
env = jinja2.sandbox.SandboxedEnvironment(
    loader=jinja2.FileSystemLoader([dict_dir, "/usr/share/lava-server/device-types"]),
    trim_blocks=True, autoescape=False)
text = env.get_template("qemu-rfl.jinja2").render(**context)
yaml.safe_load(text)
with open(out, "w", encoding="utf-8") as f:
    f.write(text)
EOF
log "lava-run: device dictionary rendered: $run/device.yaml"

versions=$(scripts/lava-env.sh --run -- dpkg-query -W -f '${Package} ${Version}; ' lava-dispatcher lava-common qemu-system-x86)
log "lava-run: running $job under lava-run ($versions)"
log "lava-run: one line per LAVA result as it comes; the full log is $run/output.yaml"
start=$(date +%s)
set +e
scripts/lava-env.sh --run --bind "$REPO_ROOT" -- \
	lava-run --job-id "$start" --output-dir "$run/out" --device "$run/device.yaml" "$job" 2>&1 |
	tee "$run/output.yaml" |
	sed -un 's/^{"dt": "[^"]*", "lvl": "results", "msg": {\(.*\)}}$/  result: \1/p'
rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - start))
log "lava-run: lava-run exited $rc after ${secs}s"

scripts/lava-env.sh --run --bind "$REPO_ROOT" -- python3 - "$run" "$secs" "$versions" <<'EOF' | tee "$run/summary.txt"
import collections
import json
import re
import sys

import yaml

run, secs, versions = sys.argv[1], int(sys.argv[2]), sys.argv[3]
results = []
with open(run + "/output.yaml", encoding="utf-8", errors="replace") as f:
    for line in f:
        if '"lvl": "results"' not in line:
            continue
        # A record is a YAML flow mapping (LAVA tags some values with "!").
        results.append(yaml.load(line, Loader=yaml.CSafeLoader)["msg"])
with open(run + "/results.json", "w", encoding="utf-8") as f:
    json.dump(results, f, indent=1)

job = [r for r in results if r.get("definition") == "lava" and r.get("case") == "job"]
job_result = job[-1]["result"] if job else "missing"
scenarios = collections.OrderedDict()
for r in results:
    d = r.get("definition", "")
    if d == "lava":
        continue
    name = re.sub(r"^\d+_", "", d)
    s = scenarios.setdefault(name, {"verdict": "missing", "secs": None,
                                    "kunit": collections.Counter(), "other": []})
    case, res = r.get("case", ""), r.get("result")
    if case == name:
        s["verdict"] = res
        s["secs"] = r.get("measurement")
    elif case.startswith("kunit."):
        s["kunit"][res] += 1
    else:
        s["other"].append("%s %s" % (case, res))

print("LAVA results of %s/output.yaml (%s)" % (run, versions.strip("; ")))
print("%-46s %-8s %6s  %s" % ("scenario", "result", "secs", "KUnit cases pass/fail/skip, other results"))
for name, s in scenarios.items():
    k = s["kunit"]
    kunit = "%d/%d/%d" % (k["pass"], k["fail"], k["skip"]) if k else "-"
    secs_s = "%.1f" % float(s["secs"]) if s["secs"] is not None else "-"
    print("%-46s %-8s %6s  %s%s" % (name, s["verdict"], secs_s, kunit,
                                     ("; " + ", ".join(s["other"])) if s["other"] else ""))
counts = collections.Counter(r.get("result") for r in results if r.get("definition") != "lava")
verdicts = collections.Counter(s["verdict"] for s in scenarios.values())
kunit = sum((s["kunit"] for s in scenarios.values()), collections.Counter())
lava_fail = [r["case"] for r in results if r.get("definition") == "lava" and r.get("result") == "fail"]
print("results from the test definitions: %d (%s)" % (sum(counts.values()),
      ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))))
print("scenarios: %d, %s" % (len(scenarios), ", ".join("%d %s" % (n, k) for k, n in sorted(verdicts.items()))))
print("KUnit cases: %d, %d pass, %d fail, %d skip" % (sum(kunit.values()), kunit["pass"], kunit["fail"], kunit["skip"]))
print("LAVA's own results (definition 'lava'): %d, failed: %s" % (
    sum(1 for r in results if r.get("definition") == "lava"), ", ".join(lava_fail) or "none"))
print("job: %s; wall time %d s" % (job_result, secs))
ok = job_result == "pass" and all(r.get("result") in ("pass", "skip") for r in results if r.get("definition") != "lava")
sys.exit(0 if ok else 1)
EOF
