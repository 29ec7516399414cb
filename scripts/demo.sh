#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The demonstration (README: `make demo`): sets up whatever is missing,
# builds the kernel (cached) and the modules, boots the VM and tells the
# module story in dmesg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
prepare main
kdir=$KDIR
data=$(scripts/test-data.sh --variants "$kdir")
# The disk on the NCR 53C810: a copy of a FAT16 volume, which the guest
# writes to through rust_vfat; fsck.fat checks it after power-off.
disk=$(mktemp --suffix=.img)
trap 'rm -f "$disk"' EXIT
cp "$data/scsi/fat16.img" "$disk"
log "booting the VM (TCG) with the modules installed and a FAT disk on the NCR 53C810"
scripts/vm-run.sh --kdir "$kdir" --files "$data/images/fat12-basic.img $data/variants" --scsi-disks "$disk" tests/demo/story.sh
log "the NCR 810's disk after power-off, on the host: fsck.fat -n"
fsck.fat -n "$disk" | sed 's/^/   /' || { echo "demo: fsck.fat found the disk damaged" >&2; exit 1; }
echo "   fsck.fat -n: exit 0, the volume is clean"
MTOOLS_SKIP_CHECK=1 mdir -i "$disk" "::Written by rust_vfat.bin" | grep -i "written" | sed 's/^/   /' ||
	{ echo "demo: the file rust_vfat wrote is not on the disk" >&2; exit 1; }
