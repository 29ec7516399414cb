#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the LAVA job definition of the VM scenarios (scripts/lava.sh).

One deploy + boot + test block per scenario, as the harness boots one VM per
scenario: the deploy carries that scenario's QEMU arguments (the header's
memory=, qemu-args=, kernel-args=, no-ncr810 and its scsi-disks= on NCR
53C810s) in the images' image_arg, and its script, files= and the disk
facts /vm/scsi-disks holds in a tar overlay on the common ramdisk; the
test runs /vm/lava-scenario, which reports the results from inside the
guest. The headers are read as tests/harness/src/main.rs (parse_header)
reads them.

Usage: lava-job.py --out DIR --ramdisk FILE --kernel FILE --data DIR
                   --release R --commit C [--url-base URL] [FILTER...]
Every artifact is under DIR; the job names them by file:// URL (what lava-run
on this machine reads) or, with --url-base, by URL + their path under DIR
(a LAVA lab's workers fetch them from where DIR is served).
"""

import argparse
import glob
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
SCENARIOS = os.path.join(ROOT, "tests", "scenarios")


def parse_header(text):
    h = {"timeout": 120, "memory": None, "qemu_args": "", "kernel_args": "",
         "no_ncr810": False, "files": [], "scsi_disks": [], "image_check": False,
         "kunit": [], "expect": None}
    for line in text.splitlines():
        if not line.startswith("# harness:"):
            continue
        d = line[len("# harness:"):].strip()
        key, _, val = d.partition("=")
        key, val = key.strip(), val.strip()
        if key == "timeout":
            h["timeout"] = int(val)
        elif key == "memory":
            h["memory"] = int(val)
        elif key == "qemu-args":
            h["qemu_args"] = val
        elif key == "kernel-args":
            h["kernel_args"] = val
        elif key == "no-ncr810":
            h["no_ncr810"] = True
        elif key == "files":
            h["files"] += val.split()
        elif key == "scsi-disks":
            h["scsi_disks"] += val.split()
        elif key == "scsi-image-check":
            h["image_check"] = True
        elif key == "kunit":
            h["kunit"] += [s.strip() for s in val.split(",") if s.strip()]
        elif key == "expect":
            h["expect"] = val
    return h


def host_path(f, data):
    if f.startswith("$TEST_DATA/"):
        return os.path.join(data, f[len("$TEST_DATA/"):])
    return os.path.join(ROOT, f)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scenario_overlay(path, script, files, disk_lines):
    """The scenario's part of the guest, laid over the common ramdisk at /."""
    with tarfile.open(path, "w") as tar:
        def add_dir(name):
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        add_dir("vm")
        add_dir("vm/files")
        tar.add(script, arcname="vm/script")
        for f in files:
            tar.add(f, arcname="vm/files/" + os.path.basename(f))
        if disk_lines:
            data = "".join(disk_lines).encode()
            info = tarfile.TarInfo("vm/scsi-disks")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--ramdisk", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--url-base", default="")
    ap.add_argument("filters", nargs="*")
    a = ap.parse_args()
    out = os.path.realpath(a.out)

    def url(p):
        if a.url_base:
            return a.url_base.rstrip("/") + "/" + os.path.relpath(os.path.realpath(p), out)
        return "file://" + os.path.realpath(p)

    scenarios = []
    for g in sorted(os.listdir(SCENARIOS)):
        gdir = os.path.join(SCENARIOS, g)
        if not os.path.isdir(gdir):
            continue
        for f in sorted(os.listdir(gdir)):
            if not f.endswith(".sh"):
                continue
            harness_name = "%s::%s" % (g, f[:-3])
            if a.filters and not any(p in harness_name for p in a.filters):
                continue
            # LAVA's dispatcher takes letters, digits, '_' and '-' in a
            # test definition's name (lava-common's schema also '.').
            scenarios.append(("%s_%s" % (g, f[:-3]), os.path.join(gdir, f)))
    if not scenarios:
        sys.exit("error: no scenario matches %s" % a.filters)

    for d in ("scenarios", "disks"):
        shutil.rmtree(os.path.join(out, d), ignore_errors=True)
        os.makedirs(os.path.join(out, d))

    # LAVA keeps every image label of a job in one namespace and gives each
    # boot the QEMU arguments of all the labels deployed so far: a disk a
    # former scenario attached would come back in every later boot. So each
    # deploy names the same disk labels, and a scenario with fewer disks
    # gives the rest a placeholder no device uses. (A namespace per scenario
    # would leave each former QEMU running: a boot ends only the connection
    # of its own namespace, and one VM at a time is the rule here.)
    headers = {}
    for name, script in scenarios:
        with open(script, encoding="utf-8") as f:
            headers[name] = parse_header(f.read())
    slots = max(sum(1 for d in h["scsi_disks"] if d != "+") for h in headers.values())
    placeholder = os.path.join(out, "disks", "unused.img")
    with open(placeholder, "wb") as f:
        f.write(bytes(4096))

    actions = []
    total = 0
    for name, script in scenarios:
        h = headers[name]
        files = []
        for pattern in h["files"]:
            found = sorted(glob.glob(host_path(pattern, a.data)))
            if not found:
                sys.exit("error: %s: files= names %s, which does not exist" % (script, pattern))
            files += found

        # The QEMU arguments of this boot, in vm-run.sh's order: the
        # controllers first, so the disks' bus= names exist.
        append = "console=ttyS0 panic=-1 oops=panic loglevel=6"
        if h["kernel_args"]:
            append += " " + h["kernel_args"]
        machine = []
        if h["memory"]:
            # After the device type's own -m, which QEMU then overrides.
            machine.append("-m %d" % h["memory"])
        if not h["no_ncr810"]:
            machine.append("-device lsi53c810,id=ncr0")
        elif h["scsi_disks"]:
            sys.exit("error: %s: scsi-disks= needs the NCR 53C810 (no-ncr810 is set)" % script)
        disks, disk_lines = {}, []
        controller, target = 0, 0
        for d in h["scsi_disks"]:
            if d == "+":
                controller += 1
                target = 0
                machine.append("-device lsi53c810,id=ncr%d" % controller)
                continue
            src = host_path(d, a.data)
            if not os.path.isfile(src):
                sys.exit("error: %s: scsi-disks= names %s, which does not exist" % (script, d))
            # One copy per image in the job directory: LAVA copies it
            # again for each deploy, so every boot gets a fresh disk.
            keep = os.path.join(out, "disks", os.path.basename(src))
            if not os.path.exists(keep):
                shutil.copyfile(src, keep)
            label = "disk%d" % len(disks)
            disks[label] = {
                "url": url(keep),
                "image_arg": "-drive if=none,id=%s,file={%s},format=raw "
                             "-device scsi-hd,bus=ncr%d.0,scsi-id=%d,drive=%s"
                             % (label, label, controller, target, label),
            }
            disk_lines.append("%d %d %s %d\n" % (target, os.path.getsize(src), sha256(src), controller))
            target += 1
        if h["qemu_args"]:
            machine.append(h["qemu_args"])
        for i in range(len(disks), slots):
            label = "disk%d" % i
            disks[label] = {
                "url": url(placeholder),
                "image_arg": "-drive if=none,id=%s,file={%s},format=raw,readonly=on" % (label, label),
            }

        overlay = os.path.join(out, "scenarios", name + ".tar")
        scenario_overlay(overlay, script, files, disk_lines)

        images = {
            "kernel": {
                "url": url(a.kernel),
                "image_arg": "-kernel {kernel} -append \"%s\" %s" % (append, " ".join(machine)),
            },
            "ramdisk": {
                "url": url(a.ramdisk),
                "image_arg": "-initrd {ramdisk}",
                "format": "cpio.newc",
                "overlays": {
                    "lava": True,
                    "scenario": {"url": url(overlay), "format": "tar", "path": "/"},
                },
            },
        }
        images.update(disks)

        cmd = "/vm/lava-scenario --name %s --timeout %d" % (name, h["timeout"])
        if h["expect"]:
            cmd += " --expect %s" % h["expect"]
        if h["kunit"]:
            cmd += " --kunit %s" % ",".join(h["kunit"])
        if h["image_check"]:
            cmd += " --image-check"
        # The test shell's own limit leaves the guest's timeout room to
        # fire first and report.
        test_secs = h["timeout"] + 120
        total += test_secs + 180
        actions += [
            {"deploy": {"timeout": {"minutes": 5}, "to": "tmpfs", "os": "oe", "images": images}},
            {"boot": {"timeout": {"minutes": 3}, "method": "qemu", "media": "tmpfs",
                      "prompts": ["rfl-lava# "]}},
            {"test": {"timeout": {"seconds": test_secs}, "definitions": [{
                "from": "inline",
                "name": name,
                "path": "inline/%s.yaml" % name,
                "repository": {
                    "metadata": {
                        "format": "Lava-Test Test Definition 1.0",
                        "name": name,
                        "description": "VM scenario %s (%s)" % (name, os.path.relpath(script, ROOT)),
                    },
                    "run": {"steps": [cmd]},
                },
            }]}},
        ]

    job = {
        "job_name": "rust modules %s: %d VM scenarios (%s)" % (a.release, len(scenarios), a.commit),
        "device_type": "qemu",
        "visibility": "public",
        "priority": "medium",
        "timeouts": {
            "job": {"minutes": total // 60 + 10},
            "action": {"minutes": 10},
            "connection": {"minutes": 2},
        },
        "context": {
            "arch": "x86_64",
            # The test VM's CPU model (scripts/vm-run.sh under TCG); the
            # device dictionary says whether this worker has KVM.
            "extra_options": ["-cpu qemu64", "-no-reboot"],
            # QEMU's device type always adds a NIC; at slot 0x1f it keeps
            # the NCR 53C810s at the PCI addresses vm-run.sh gives them.
            "model": "model=virtio,addr=0x1f",
        },
        "metadata": {
            "kernel.release": a.release,
            "source.commit": a.commit,
            "scenarios": len(scenarios),
        },
        "actions": actions,
    }
    with open(os.path.join(out, "job.yaml"), "w", encoding="utf-8") as f:
        f.write("# Written by scripts/lava-job.py (make lava); do not edit.\n")
        f.write(to_yaml(job))
    print("%d scenarios" % len(scenarios))


def to_yaml(v, indent=0):
    """Block-style YAML; every string as a JSON string, which YAML reads
    as the same double-quoted scalar."""
    pad = "  " * indent
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append("%s%s:\n%s" % (pad, k, to_yaml(x, indent + 1)))
            else:
                lines.append("%s%s: %s\n" % (pad, k, scalar(x)))
        return "".join(lines)
    if isinstance(v, list):
        lines = []
        for x in v:
            if isinstance(x, (dict, list)) and x:
                body = to_yaml(x, indent + 1)
                lines.append("%s- %s" % (pad, body[len(pad) + 2:]))
            else:
                lines.append("%s- %s\n" % (pad, scalar(x)))
        return "".join(lines)
    return pad + scalar(v) + "\n"


def scalar(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, (dict, list)):
        return "{}" if isinstance(x, dict) else "[]"
    return json.dumps(x)


if __name__ == "__main__":
    main()
