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
# The disk on the NCR 53C810: a copy of a FAT16 volume (the guest mounts
# it read-only, but a disk image is the guest's to write).
disk=$(mktemp --suffix=.img)
trap 'rm -f "$disk"' EXIT
cp "$data/scsi/fat16.img" "$disk"
log "booting the VM (TCG) with the modules installed and a FAT disk on the NCR 53C810"
scripts/vm-run.sh --kdir "$kdir" --files "$data/images/fat12-basic.img $data/variants" --scsi-disks "$disk" tests/demo/story.sh
