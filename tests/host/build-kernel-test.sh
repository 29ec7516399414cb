#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The build scripts' host-side tests: a fragment option Kconfig drops fails
# the kernel step by name; a changed cache key means a rebuild elsewhere.
set -uo pipefail
REPORT_PREFIX=host::
. "$(dirname "$0")/lib.sh"

# make vm-run returns the script's output and exit status (make reports a
# failing status as "Error N" and exits 2). The two boots run one after the
# other (both run make on the same build directory), beside the configure
# runs below, which touch no build of the project.
vm_run_tests() {
	printf 'echo "hello from $(uname -r)"\nexit 0\n' >"$tmp/ok.sh"
	printf 'echo "about to fail"\nexit 7\n' >"$tmp/fail.sh"
	out=$(make -s -C "$root" vm-run SCRIPT="$tmp/ok.sh" 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q '^hello from 7\.' <<<"$out"; then
		report make-vm-run-status-0 ok
	else
		report make-vm-run-status-0 FAILED "exit $rc: $out"
	fi
	out=$(make -s -C "$root" vm-run SCRIPT="$tmp/fail.sh" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q '^about to fail' <<<"$out" && grep -q 'Error 7' <<<"$out"; then
		report make-vm-run-status-nonzero ok
	else
		report make-vm-run-status-nonzero FAILED "exit $rc: $out"
	fi
	exit $failed
}
vm_run_tests >"$tmp/vm-run.out" 2>&1 &
vm_runs=$!

# USB_STORAGE needs USB and SCSI, which the fragment leaves out. The
# configure runs go side by side (each is mostly one process).
cp "$root/kernel/config.fragment" "$tmp/frag"
echo "CONFIG_USB_STORAGE=y" >>"$tmp/frag"
RFL_KERNEL_FRAGMENT="$tmp/frag" "$root/scripts/build-kernel.sh" --config-only "$tmp/cfg" >"$tmp/drop.out" 2>&1 &
drop=$!
# The repository's own fragment configures cleanly.
"$root/scripts/build-kernel.sh" --config-only "$tmp/cfg2" >"$tmp/lands.out" 2>&1 &
lands=$!
# A variant's lines replace the main fragment's: nomodversions turns
# CONFIG_MODVERSIONS off, and every option of the result lands.
"$root/scripts/build-kernel.sh" --config-only "$tmp/cfg3" nomodversions >"$tmp/variant.out" 2>&1 &
variant=$!
wait $drop
rc=$?
out=$(cat "$tmp/drop.out")
if [ $rc != 0 ] && grep -q 'fragment option CONFIG_USB_STORAGE=y did not land' <<<"$out"; then
	report kconfig-dropped-option-fails-by-name ok
else
	report kconfig-dropped-option-fails-by-name FAILED "exit $rc; output: $out"
fi
wait $lands
rc=$?
[ $rc = 0 ] && report kconfig-fragment-lands ok || report kconfig-fragment-lands FAILED "$(cat "$tmp/lands.out")"
wait $variant
rc=$?
if [ $rc = 0 ] && grep -qx '# CONFIG_MODVERSIONS is not set' "$tmp/cfg3/.config" && grep -qx 'CONFIG_RUST=y' "$tmp/cfg3/.config"; then
	report kernel-variant-overrides-fragment ok
else
	report kernel-variant-overrides-fragment FAILED "exit $rc: $(cat "$tmp/variant.out")"
fi

a=$("$root/scripts/build-kernel.sh" --dry-run main 2>&1)
b=$(RFL_KERNEL_FRAGMENT="$tmp/frag" "$root/scripts/build-kernel.sh" --dry-run main 2>&1)
if [[ $a == "cached "* ]] && [[ $b == "would build "* ]] && [ "${a#cached }" != "${b#would build }" ]; then
	report changed-cache-key-rebuilds ok
else
	report changed-cache-key-rebuilds FAILED "same fragment: $a; changed fragment: $b"
fi

# make KDIR= with a tree that is not a kernel, or has no Rust, says so in one line.
out=$(make -s -C "$root" KDIR=/nonexistent 2>&1)
if [ $? != 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^error:')" = 1 ] && grep -q 'not a configured kernel build tree' <<<"$out"; then
	report kdir-nonexistent-one-error ok
else
	report kdir-nonexistent-one-error FAILED "$out"
fi
mkdir -p "$tmp/norust"
: >"$tmp/norust/Makefile"
echo "CONFIG_MODULES=y" >"$tmp/norust/.config"
out=$(make -s -C "$root" KDIR="$tmp/norust" 2>&1)
if [ $? != 0 ] && grep -q 'built without Rust' <<<"$out"; then
	report kdir-without-rust-one-error ok
else
	report kdir-without-rust-one-error FAILED "$out"
fi
wait $vm_runs || failed=1
cat "$tmp/vm-run.out"
exit $failed
