#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host half of the power-cut scenarios (rw/13-*, harness: host-check=).

The guest ran the workload of tests/guest/powercut.c on each disk (one file
system type per disk) until the host killed QEMU (VM-CUT, scripts/vm-run.sh);
the workload's journal ("PC <tag> ..." lines) is in the guest's output,
the file HOST_CHECK_OUTPUT names. For each disk image, on a copy:

- fsck.fat -a repairs the volume: a second fsck.fat -n finds nothing;
- what fsck.fat -a repaired is counted: clusters it reclaimed (lost
  clusters), cross-linked files ("share clusters"), files it truncated or
  changed (damaged: every path it names), and any other repair;
- every file the journal says was fsynced (SYNC, with its directory, and
  not touched since) reads back as exactly those bytes of PATTERN;
- every name the journal says was removed and synced (GONE) is absent;
- every file and directory the original image held (the workload never
  writes them) is there with the same bytes;
- for the tags in --no-cross-links: no two files share clusters (a
  cross-link, which fsck.fat repairs by cutting one file to nothing). A
  rename never leaves two entries naming one chain on rust_vfat where a
  completed write is on the disk (rw/21); a buffered loop device
  completes writes that are only in its backing disk's page cache, so
  there no write order holds after a cut, and cross-links are counted.

Prints "POWER-CUT <tag> key=value..." per disk for scripts/power-cut-summary.py.
Exits 1 when a disk whose tag is in --strict broke a rule above (the C
driver's disks are counted, not judged: the summary compares).

Usage: power-cut-check.py --pattern P --original IMG --tags T1,T2
                          [--strict T1,...] [--no-cross-links T1,...] IMAGE...
(IMAGE: the disks in the order of --tags, each a whole FAT volume.)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, env=ENV)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def extract(img, dest):
    """Every file and directory of the volume in IMG, copied into DEST:
    {relative path: bytes or None for a directory}."""
    os.makedirs(dest)
    rc, out = run(["mcopy", "-s", "-n", "-m", "-i", img, "::*", dest + "/"])
    tree = {}
    for root, dirs, files in os.walk(dest):
        for d in dirs:
            tree[os.path.relpath(os.path.join(root, d), dest)] = None
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                tree[os.path.relpath(p, dest)] = fh.read()
    return tree, (out if rc else "")


def expected(pattern, off, length):
    """LENGTH bytes of the pattern read cyclically from OFF."""
    out = bytearray()
    pos = off % len(pattern)
    while len(out) < length:
        n = min(length - len(out), len(pattern) - pos)
        out += pattern[pos : pos + n]
        pos = 0
    return bytes(out)


def journal(output, tag):
    """The state each name was left in: ("sync", off, len), ("gone",) or
    ("busy",), in journal order, and how many lines there were."""
    state, lines, dirs = {}, 0, []
    for line in output.splitlines():
        line = line.rstrip("\r")
        # A whole line ends with " ."; the cut may have left one short.
        if not line.startswith(f"PC {tag} ") or not line.endswith(" ."):
            continue
        w = line[:-2].split(" ", 3)
        lines += 1
        kind, rest = w[2], w[3] if len(w) > 3 else ""
        if kind == "BUSY":
            state[rest] = ("busy",)
        elif kind == "SYNC":
            name, off, length = rest.rsplit(" ", 2)
            state[name] = ("sync", int(off), int(length))
        elif kind == "GONE":
            state[rest] = ("gone",)
        elif kind == "DIR":
            dirs.append(rest)
    return state, lines, dirs


# What fsck.fat -a says that is no damage: the dirty bit a cut leaves
# behind, FSInfo's free count, its own headers and summary.
BENIGN = [
    r"^fsck\.fat \d",
    r"^\S+: \d+ files?, \d+/\d+ clusters",
    r"[Dd]irty bit is set",
    r"Fs was not properly unmounted",
    r"Automatically removing dirty bit",
    r"^Performing changes\.",
    r"Free cluster summary (wrong|uninitialized)",
    r"^\s*Auto-correcting\.",
    r"^\s*Setting free clusters to",
    r"^\s*$",
    # FAT32's dirty flag (byte 65 of the boot sector) is not in the backup.
    r"^There are differences between boot sector and its backup\.",
    r"^\s*This is mostly harmless\. Differences: \(offset:original/backup\)",
    r"^\s*65:0[01]/0[01]$",
    r"^\s*Not automatically fixing this\.",
]


def count_fsck(text):
    """Lost clusters, cross-links, damaged paths and other repairs in what
    fsck.fat -a printed."""
    lost = sum(int(n) for n in re.findall(r"Reclaimed (\d+) unused clusters?", text))
    cross = len(re.findall(r"share clusters", text))
    damaged, other = set(), []
    for line in text.splitlines():
        if any(re.search(b, line) for b in BENIGN):
            pass
        elif line.startswith("/"):
            # A path fsck.fat names ("/A and" for a cross-link pair).
            damaged.add(re.sub(r" and$", "", line))
        elif re.search(r"Reclaimed \d+ unused|share clusters", line):
            pass
        elif line.startswith(" "):
            pass  # what fsck.fat did about the line above
        else:
            other.append(line.strip())
    return lost, cross, damaged, other


def check_disk(tag, img, orig_tree, pattern, output, tmp, no_cross):
    problems = []
    work = os.path.join(tmp, tag)
    os.makedirs(work)
    copy = os.path.join(work, "img")
    shutil.copyfile(img, copy)
    target = copy
    rc, fsck_a = run(["fsck.fat", "-a", "-w", target])
    print(f"{tag}: fsck.fat -a (exit {rc}):")
    for line in fsck_a.splitlines()[1:]:
        print(f"  {line}")
    rc2, fsck_n = run(["fsck.fat", "-n", target])
    unrepaired = 0
    if rc2 != 0 or rc >= 2:
        unrepaired = 1
        problems.append("fsck.fat -a did not repair the volume; fsck.fat -n says:\n" + fsck_n)
    lost, cross, damaged, other = count_fsck(fsck_a)

    tree, err = extract(target, os.path.join(work, "files"))
    if err:
        problems.append(f"mcopy could not read the repaired volume: {err}")
    state, lines, dirs = journal(output, tag)
    synced = sync_bad = gone_back = 0
    for name, st in sorted(state.items()):
        got = tree.get(name, "missing")
        if st[0] == "sync":
            synced += 1
            want = expected(pattern, st[1], st[2])
            if got == "missing" or got is None:
                sync_bad += 1
                problems.append(f"{name}: fsynced ({st[2]} bytes), not on the volume after the cut")
            elif got != want:
                sync_bad += 1
                problems.append(
                    f"{name}: fsynced as {st[2]} bytes, reads back {len(got)} bytes that differ")
        elif st[0] == "gone" and got != "missing":
            gone_back += 1
            problems.append(f"{name}: removed and synced, there again after the cut")
    for d in dirs:
        if tree.get(d, "missing") is not None:
            sync_bad += 1
            problems.append(f"{d}/: made and fsynced, not a directory after the cut")
    untouched_bad = 0
    for name, data in sorted(orig_tree.items()):
        if tree.get(name, "missing") != data:
            untouched_bad += 1
            what = "directory" if data is None else f"file of {len(data)} bytes"
            problems.append(f"{name}: {what} the workload never touched, changed or lost")
    if cross and no_cross:
        problems.append(f"{cross} pair(s) of files shared clusters (a cross-link)")
    busy = sum(1 for s in state.values() if s[0] == "busy")
    print(
        f"POWER-CUT {tag} journal={lines} synced={synced} busy={busy} "
        f"lost_clusters={lost} crosslinks={cross} damaged_files={len(damaged)} "
        f"other_repairs={len(other)} synced_bad={sync_bad} gone_back={gone_back} "
        f"untouched_bad={untouched_bad} unrepaired={unrepaired}")
    for o in other:
        print(f"  {tag}: other repair: {o}")
    for line in output.splitlines():
        if line.startswith(f"PC {tag} FAIL") or line.startswith(f"PC {tag} NOT-CUT"):
            problems.append(f"the workload ended before the cut: {line}")
    if lines == 0:
        # A valid cut (before the workload began), but say so: the
        # summary requires journal lines over all the runs.
        print(f"{tag}: the journal has no line: cut before the workload began")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pattern", required=True)
    ap.add_argument("--original", required=True)
    ap.add_argument("--tags", required=True)
    ap.add_argument("--strict", default="")
    ap.add_argument("--no-cross-links", default="")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    tags = a.tags.split(",")
    strict = set(filter(None, a.strict.split(",")))
    no_cross = set(filter(None, a.no_cross_links.split(",")))
    if len(tags) != len(a.images):
        sys.exit(f"{len(tags)} tags for {len(a.images)} images")
    out_file = os.environ.get("HOST_CHECK_OUTPUT")
    if not out_file:
        sys.exit("HOST_CHECK_OUTPUT names no guest output (run by the harness's host-check=)")
    with open(out_file, "rb") as fh:
        output = fh.read().decode("utf-8", "replace")
    with open(a.pattern, "rb") as fh:
        pattern = fh.read()
    cut = re.findall(r"^VM-CUT-DONE (\d+)", output, re.M)
    print(f"cut after {cut[-1]} ms" if cut else "no power cut in the guest's output")
    status = 0 if cut else 1
    with tempfile.TemporaryDirectory() as tmp:
        orig_tree, err = extract(a.original, os.path.join(tmp, "original"))
        if err or not orig_tree:
            sys.exit(f"cannot read {a.original}: {err}")
        for tag, img in zip(tags, a.images):
            problems = check_disk(tag, img, orig_tree, pattern, output, tmp, tag in no_cross)
            for p in problems:
                print(f"{tag}: {'FAIL' if tag in strict else 'found'}: {p}")
            if problems and tag in strict:
                status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
