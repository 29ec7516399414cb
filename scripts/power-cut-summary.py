#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The totals of the power-cut scenarios (rw/13-*, harness: host-summary=).

Reads the POWER-CUT lines scripts/power-cut-check.py printed for each run
(one file per run) and adds them up per tag. For each pair RUST:C:

- every run must have been checked for both, and the workload must have
  journaled something over the runs;
- the Rust side's contract counts must be 0: fsynced files not read back,
  removed names back, untouched files changed, volumes fsck.fat -a did not
  repair (each run's host-check already fails on them);
- with at least RANK cuts (--rank-from, default 20: the soak tier's 50),
  the Rust side must be no worse than the C one in what fsck.fat repaired:
  its totals of lost clusters (reclaimed), cross-links and damaged files
  (files fsck.fat names) must not be larger than C's. Fewer cuts cannot
  rank two drivers (one cut of the check tier varied from 0.5 to 2 times
  the other's lost clusters): they are printed, not judged.

Other repairs (orphaned long-name parts, FATs that differ) are printed.

Usage: power-cut-summary.py [--rank-from N] RUST:C[,RUST:C...] RUNFILE...
"""

import re
import sys

RANKED = ["lost_clusters", "crosslinks", "damaged_files"]
CONTRACT = ["synced_bad", "gone_back", "untouched_bad", "unrepaired"]
INFO = ["journal", "synced", "busy"]
OTHER = ["other_repairs"]


def main():
    args = sys.argv[1:]
    rank_from = 20
    if args[:1] == ["--rank-from"] and len(args) > 1:
        rank_from = int(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    pairs = [p.split(":") for p in args[0].split(",")]
    totals, cuts, runs = {}, {}, 0
    for f in args[1:]:
        runs += 1
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = re.match(r"POWER-CUT (\S+) (.*)", line)
                if not m:
                    continue
                tag = m.group(1)
                t = totals.setdefault(tag, {})
                cuts[tag] = cuts.get(tag, 0) + 1
                for k, v in re.findall(r"(\w+)=(\d+)", m.group(2)):
                    t[k] = t.get(k, 0) + int(v)
    keys = INFO + RANKED + OTHER + CONTRACT
    tags = sorted(totals)
    print(f"power cuts: {runs} runs")
    print(f"{'':16}" + "".join(f"{t:>12}" for t in tags))
    print(f"{'cuts checked':16}" + "".join(f"{cuts[t]:>12}" for t in tags))
    for k in keys:
        print(f"{k:16}" + "".join(f"{totals[t].get(k, 0):>12}" for t in tags))
    bad = []
    for rust, c in pairs:
        for tag in (rust, c):
            if cuts.get(tag, 0) != runs:
                bad.append(f"{tag}: checked after {cuts.get(tag, 0)} of {runs} cuts")
            elif not totals[tag].get("journal"):
                bad.append(f"{tag}: the workload journaled nothing in {runs} runs")
        if bad:
            continue
        for k in CONTRACT:
            if totals[rust].get(k, 0):
                bad.append(f"{k}: {rust} {totals[rust][k]} (must be 0)")
        if runs < rank_from:
            print(f"{rust} against {c}: {runs} cuts, too few to rank (from {rank_from}): not judged")
            continue
        for k in RANKED:
            r, cc = totals[rust].get(k, 0), totals[c].get(k, 0)
            if r > cc:
                bad.append(f"{k}: {rust} {r}, worse than {c} {cc}")
    for b in bad:
        print(f"FAIL: {b}")
    if not bad and runs >= rank_from:
        print("ok: " + ", ".join(f"{r} no worse than {c}" for r, c in pairs))
    elif not bad:
        print("ok: the contract kept")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
