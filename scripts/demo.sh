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
log "booting the VM (TCG) with the modules installed"
scripts/vm-run.sh --kdir "$kdir" --files "$data/images/fat12-basic.img $data/variants" tests/demo/story.sh
