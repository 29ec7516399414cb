#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prints the cached test kernel tree if it has been built, else nothing.
. "$(dirname "$0")/lib.sh"
d=$(kernel_build_dir "${1:-main}")
[ -f "$d/.build-complete" ] && echo "$d"
exit 0
