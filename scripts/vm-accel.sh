#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Chooses the QEMU accelerator: TCG unless a probe boot proves KVM works on
# this machine (nested KVM is often broken). The verdict is cached per
# kernel tree and QEMU build. VM_ACCEL=tcg|kvm forces a choice.
# Usage: vm-accel.sh KDIR [IMAGE]  (IMAGE: another kernel than KDIR's
# bzImage, e.g. a distribution's vmlinuz; the verdict is kept beside it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$1
image=${2:-$kdir/arch/x86/boot/bzImage}
vdir=$kdir
[ $# -ge 2 ] && vdir=$(dirname "$image")
case ${VM_ACCEL:-auto} in tcg | kvm) echo "$VM_ACCEL"; exit 0 ;; esac
if [ ! -w /dev/kvm ]; then echo tcg; exit 0; fi
# Keyed by the QEMU binary's size and time, not its --version: starting
# QEMU to ask costs about 70 ms, and every VM run asks.
qemu_bin=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 is not installed" "run scripts/setup-toolchain.sh"
verdict="$vdir/.kvm-probe-$(stat -L -c '%s %Y' "$qemu_bin" | sha256sum | cut -c1-8)"
if [ ! -f "$verdict" ]; then
	log "vm: probing whether KVM works here (one short boot)"
	out=$(mktemp)
	# Without an initramfs the kernel panics for lack of a root: that panic,
	# printed, proves the guest ran under KVM.
	timeout -k 2 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -no-reboot -nic none -display none \
		-monitor none -serial "file:$out" -kernel "$image" \
		-append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1 || true
	if grep -q 'VFS: Unable to mount root\|Kernel panic' "$out"; then echo kvm; else echo tcg; fi >"$verdict"
	rm -f "$out"
	log "vm: accelerator $(cat "$verdict")"
fi
cat "$verdict"
