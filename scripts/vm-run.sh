#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the test kernel (or, for a tree from scripts/distro-kdir.sh, the
# distribution's own kernel with its own modules) in QEMU with the project's
# modules, as last built, installed under /lib/modules/<release>/ (with
# depmod), runs a shell script in the guest and returns its output and exit
# status. The script's output is shown as the guest writes it.
#
# Usage: scripts/vm-run.sh [options] SCRIPT
#   --kdir DIR        kernel build tree (default: the cached test kernel)
#   --modules DIR     project tree whose modules to install (default: repo;
#                     `make` builds them, `make vm-run` does so first)
#   --modroot DIR     an already staged module tree (scripts/stage-modules.sh)
#   --modules-cpio F  the same as a cpio archive (stage-modules.sh --cpio)
#   --files "F..."    host files copied to /vm/files/<name> in the guest
#   --qemu-args "A"   extra QEMU arguments (word-split)
#   --no-ncr810       leave the default -device lsi53c810 out
#   --scsi-disks "I.."  attach each image as a SCSI disk on the NCR 53C810,
#                     targets 0, 1, ... in order (the guest writes to the
#                     images themselves: copy what must stay); a "+" starts
#                     the disks of one more NCR 53C810. The guest finds
#                     "<target> <bytes> <sha256> <controller>" lines in
#                     /vm/scsi-disks (the SHA-256 only if the script names
#                     scsi_image_sha or /vm/scsi-disks, else "-")
#   --timeout SECS    hard limit for the whole guest run (default 120)
#   --boot-limit SECS how long the kernel may take to start /init (default
#                     VM_BOOT_LIMIT or 60, plus 1 s for each 4 MiB of
#                     initramfs): a boot that stalls longer is stopped and
#                     reported as a timeout, not waited out
#   --log FILE        where the serial console log goes (default: a temp file)
#   --output FILE     where the script's output goes too (default: none)
#   --quiet           do not echo the script's output
#   --cpu-time FILE   write the CPU seconds (user + system) of everything the
#                     run started, QEMU's included (the harness's schedule)
#   --run N           put N in /vm/run in the guest: which of a scenario's
#                     repeated runs this is (the harness's `runs=`)
# A power cut: a guest line "VM-CUT <ms>" (on the output port) has the host
# kill QEMU with SIGKILL <ms> milliseconds later, whatever the guest is
# doing then: its disks keep what QEMU wrote to the images up to that
# instant and nothing more. The output gets "VM-CUT-DONE <ms>" and the run
# ends with status 0 (the guest asked for it); a guest that exits before
# the kill ends with its own status.
# VM_SOAK=1 puts /vm/soak in the guest: the soak tier's repetition counts
# (make soak; `reps` in scripts/guest/lib.sh).
# Exit status: the script's; 124 when the guest hit the timeout; 125 when the
# guest died without reporting (panic) or oopsed while the script passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir="" modules="$REPO_ROOT" modroot="" modules_cpio="" files="" qemu_extra="" ncr810=1 scsi_disks="" timeout=120 log="" output="" quiet=0 cpu_time="" run_index="" boot_limit=${VM_BOOT_LIMIT:-60}
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--modroot) modroot=$2; shift 2 ;;
	--modules-cpio) modules_cpio=$2; shift 2 ;;
	--files) files=$2; shift 2 ;;
	--qemu-args) qemu_extra=$2; shift 2 ;;
	--no-ncr810) ncr810=0; shift ;;
	--scsi-disks) scsi_disks=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--boot-limit) boot_limit=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--output) output=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--cpu-time) cpu_time=$2; shift 2 ;;
	--run) run_index=$2; shift 2 ;;
	-*) die "unknown option $1" "see the usage at the top of $0" ;;
	*) break ;;
	esac
done
[ $# = 1 ] || die "usage: $0 [options] SCRIPT" "give exactly one script to run in the guest"
script=$1
[ -f "$script" ] || die "no such script: $script" "pass an existing shell script (make vm-run SCRIPT=path)"

if [ -z "$kdir" ]; then
	kdir=$(kernel_build_dir main)
	[ -f "$kdir/.build-complete" ] || die "no cached test kernel" "run 'make kernel' (or scripts/build-kernel.sh) first, or pass --kdir"
fi
distro=$(distro_root "$kdir")
distro_append=""
if [ -n "$distro" ]; then
	# Debian's kernel starts DAMON's memory monitor (DAMON_STAT), whose
	# regions come and go on their own: off, the slab counts of the leak
	# checks are about the code under test, as on the project's kernel.
	distro_append="damon_stat.enabled=N"
	# A distribution's kernel (scripts/distro-kdir.sh): its own vmlinuz.
	# shellcheck disable=SC1091
	bzimage=$(. "$distro/.rfl-distro" && echo "$distro_vmlinuz")
	[ -f "$bzimage" ] || die "no kernel image $bzimage" "run 'make distro-kdir' again"
else
	bzimage="$kdir/arch/x86/boot/bzImage"
	[ -f "$bzimage" ] || die "no bzImage in $kdir" "build that kernel tree (make -C <src> O=$kdir bzImage)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rfl-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log="$work/console.log"

# The initramfs is three cpio archives one after the other (the kernel
# unpacks each over the last): what every guest has and the module tree,
# both cached by content, then this run's own files.
base=$("$REPO_ROOT/scripts/make-initramfs-base.sh" --cpio)
if [ -z "$modules_cpio" ]; then
	if [ -n "$modroot" ]; then
		(cd "$modroot" && find lib -print0 | cpio --null -o -H newc --quiet) >"$work/modules.cpio"
		modules_cpio=$work/modules.cpio
	else
		modules_cpio=$("$REPO_ROOT/scripts/stage-modules.sh" --cpio "$kdir" "$modules")
	fi
fi
run="$work/run"
mkdir -p "$run/vm/files"
cp "$script" "$run/vm/script"
for f in $files; do
	[ -e "$f" ] || die "FILES: no such file $f" "list existing host files, separated by spaces"
	# Hard links where the file system allows: the bytes go into the archive
	# once, not through a copy first.
	cp -al "$f" "$run/vm/files/" 2>/dev/null || cp -a "$f" "$run/vm/files/"
done
[ "${VM_SOAK:-0}" = 1 ] && echo 1 >"$run/vm/soak"
[ -z "$run_index" ] || echo "$run_index" >"$run/vm/run"

if [ -n "$scsi_disks" ]; then
	[ $ncr810 = 1 ] || die "SCSI_DISKS needs the NCR 53C810" "drop NO_NCR810=1, or give the disks through QEMU_ARGS"
	# The SHA-256 of each image (a second or more of hashing for the
	# larger ones) only for a script that reads it.
	sha=0
	grep -qE 'scsi_image_sha|/vm/scsi-disks' "$script" && sha=1
	n=0 c=0
	for d in $scsi_disks; do
		if [ "$d" = + ]; then c=$((c + 1)) n=0; continue; fi
		[ -f "$d" ] || die "SCSI_DISKS: no such image $d" "list existing disk image files, separated by spaces"
		[ $n -lt 7 ] || die "SCSI_DISKS: more than 7 disks on one controller" "the 53C810's bus has targets 0-6 (7 is the chip); start another controller with +"
		h=-
		[ $sha = 0 ] || h=$(sha256sum <"$d" | cut -d' ' -f1)
		echo "$n $(stat -c %s "$d") $h $c" >>"$run/vm/scsi-disks"
		n=$((n + 1))
	done
fi

(cd "$run" && find . -mindepth 1 -print0 | cpio --null -o -H newc --quiet) >"$work/run.cpio"
cat "$base" "$modules_cpio" "$work/run.cpio" >"$work/initrd.cpio"

# FILES live in the guest's memory: the root file system is a tmpfs,
# which the kernel sizes at half the memory free when it mounts it, while
# the archive it is about to unpack still takes its share. What does not
# fit is cut off without a word (a 320 MiB file arrived as 270 MiB with
# 922 MiB of memory), so a run with large FILES gets the memory they
# need, three times the archive and room for the kernel, and VM_MEM set
# too small for them is refused.
initrd_mib=$((($(stat -c %s "$work/initrd.cpio") + 1048575) / 1048576))
need_mib=$((3 * initrd_mib + 256))
mem=${VM_MEM:-512}
if [ "$mem" -lt "$need_mib" ]; then
	[ -z "${VM_MEM:-}" ] ||
		die "VM_MEM=$VM_MEM MiB cannot hold the initramfs ($initrd_mib MiB with FILES) while the kernel unpacks it" \
			"give VM_MEM=$need_mib or more, or attach large images as disks (SCSI_DISKS=) instead of FILES"
	mem=$need_mib
	[ $quiet = 1 ] || echo "vm-run: FILES make the initramfs $initrd_mib MiB: the VM gets $mem MiB of memory" >&2
fi

accel=$("$REPO_ROOT/scripts/vm-accel.sh" "$kdir" "$bzimage")
qemu=(qemu-system-x86_64 -accel "$accel" -m "$mem" -smp 1 -no-reboot -nic none
	-display none -monitor none -pidfile "$work/qemu.pid"
	-chardev "file,id=con,path=$log" -serial chardev:con
	-chardev "stdio,id=out,signal=off" -serial chardev:out)
# The kernel: an uncompressed vmlinux with a PVH entry point, started
# directly (no decompression under emulation), when the tree has one; else
# the bzImage. The firmware: qboot (QEMU ships it), which sets up PCI and
# the ACPI tables QEMU builds and nothing else: an empty run took about
# 0.2 CPU-s less than with SeaBIOS's POST (docs/testing-tiers.md).
# VM_BIOS=<file> chooses other firmware, VM_BIOS="" QEMU's default
# (SeaBIOS); without qboot.rom QEMU's default too.
kernel=$bzimage
if [ -z "$distro" ] && [ -f "$kdir/vmlinux" ] && grep -qx 'CONFIG_PVH=y' "$kdir/.config"; then
	kernel=$kdir/vmlinux
fi
bios=${VM_BIOS-/usr/share/qemu/qboot.rom}
[ -n "$bios" ] && [ -f "$bios" ] && qemu+=(-bios "$bios")
qemu+=(-kernel "$kernel" -initrd "$work/initrd.cpio"
	-append "console=ttyS0 panic=-1 oops=panic loglevel=6 $distro_append ${VM_APPEND:-}")
# Under KVM the CPU model the probe booted with. Under TCG QEMU's default
# model, qemu64: 30 mount/unload and 10 rust_ncr810 load cycles took 4.8 s
# with it and 5.8 s with "max", TCG's most complete one (three runs each,
# alternating). VM_CPU chooses another.
if [ "$accel" = kvm ]; then qemu+=(-cpu host); else qemu+=(-cpu "${VM_CPU:-qemu64}"); fi
[ $ncr810 = 1 ] && qemu+=(-device lsi53c810,id=ncr0)
n=0 c=0 i=0
for d in $scsi_disks; do
	if [ "$d" = + ]; then
		c=$((c + 1)) n=0
		qemu+=(-device "lsi53c810,id=ncr$c")
		continue
	fi
	qemu+=(-drive "if=none,id=disk$i,file=$d,format=raw"
		-device "scsi-hd,bus=ncr$c.0,scsi-id=$n,drive=disk$i")
	n=$((n + 1)) i=$((i + 1))
done
# shellcheck disable=SC2206
[ -n "$qemu_extra" ] && qemu+=($qemu_extra)

# The output port is QEMU's stdout: kept in output.log, shown line by
# line as the guest writes it (unless --quiet), and watched for a power
# cut (VM-CUT <ms>): a sleeper in the background then kills QEMU, if it
# still runs, having left the delay in cut.done first. (Written after the
# kill, the runner, woken by QEMU's end, could stop the sleeper before it
# wrote: a cut then read as the timeout, seen once in 100 cuts of a
# loaded soak run.) The cut counts only if QEMU was killed (below).
# stop-qemu.sh WORK FILE VALUE: kills QEMU if it still runs, having left
# VALUE in WORK/FILE first (the power cut's sleeper and the boot watch).
cat >"$work/stop-qemu.sh" <<'EOS'
p=$(cat "$1/qemu.pid" 2>/dev/null) || exit 0
grep -q qemu "/proc/$p/cmdline" 2>/dev/null && echo "$3" >"$1/$2" && kill -9 "$p"
EOS
cat >"$work/cut.sh" <<'EOS'
sleep "$2"
exec sh "$1/stop-qemu.sh" "$1" cut.done "$3"
EOS
watch() {
	mawk -W interactive -v quiet=$quiet -v w="$work" '
	/^VM-CUT [0-9]+/ && !cut {
		cut = 1
		system(sprintf("sh \"%s/cut.sh\" \"%s\" %.3f %d </dev/null >/dev/null 2>&1 & echo $! >\"%s/cut.sleeper\"",
			w, w, $2 / 1000, $2, w))
	}
	!quiet && !/^VM-EXIT / { print }'
}
# The boot watch: a kernel that has not started /init ("harness: guest
# up" on the console) within the boot limit has stalled, and no scenario
# has run yet. Seen once in CI: Debian's kernel with two CPUs under TCG
# printed nothing after 0.96 s and was killed at the 600 s timeout. The
# watcher stops such a guest at the limit (boot.stalled says so) instead.
boot_limit=$((boot_limit + initrd_mib / 4))
: >"$log"
cat >"$work/boot-watch.sh" <<'EOS'
i=0
while [ $i -lt "$3" ]; do
	sleep 1
	i=$((i + 1))
	grep -q 'harness: guest up' "$2" && exit 0
done
exec sh "$1/stop-qemu.sh" "$1" boot.stalled "$3"
EOS
if [ "$boot_limit" -lt "$timeout" ]; then
	sh "$work/boot-watch.sh" "$work" "$log" "$boot_limit" </dev/null >/dev/null 2>&1 &
	echo $! >"$work/boot.watcher"
fi
set +e
# (The braces take the shell's "Killed" notice of a cut.)
{ timeout -k 5 "$timeout" "${qemu[@]}" </dev/null 2>"$work/qemu.log" | tee "$work/output.log" | watch; } 2>/dev/null
qrc=${PIPESTATUS[0]}
# A sleeper whose guest ended first has nothing left to cut.
[ -f "$work/cut.sleeper" ] && kill "$(cat "$work/cut.sleeper")" 2>/dev/null
[ -f "$work/boot.watcher" ] && kill "$(cat "$work/boot.watcher")" 2>/dev/null
set -e
# The second line of `times`: the children's user and system time.
# (`times` in this shell: in a pipeline it would be a subshell's.)
times >"$work/times"
[ -z "$cpu_time" ] || awk 'NR == 2 {
	for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] }
	printf "%.2f\n", t }' "$work/times" >"$cpu_time"

# A cut is QEMU killed (timeout then exits as killed: 137) after the
# sleeper recorded it; a guest that ended on its own first was not cut.
cut=""
[ $qrc = 137 ] && [ -f "$work/cut.done" ] && cut=$(cat "$work/cut.done")
# (On a line of its own: the cut may have left the last line short.)
[ -z "$cut" ] || printf '\nVM-CUT-DONE %s\n' "$cut" >>"$work/output.log"
[ -n "$output" ] && cp "$work/output.log" "$output"
[ "$log" = "$work/console.log" ] && [ -n "${VM_KEEP_LOG:-}" ] && cp "$log" "$VM_KEEP_LOG"

show_console() {
	echo "---- last 60 lines of the console log ($1) ----" >&2
	tail -n 60 "$log" >&2 || true
	echo "----" >&2
}
rc=$(sed -n 's/^VM-EXIT \([0-9]*\).*/\1/p' "$work/output.log" | tail -1)
if [ -z "$rc" ] && [ -n "$cut" ]; then
	# The power cut the guest asked for: a problem the kernel reported
	# before it still counts.
	[ $quiet = 1 ] || echo "vm-run: power cut (QEMU killed) ${cut} ms after the guest asked" >&2
	if grep -qFf "$REPO_ROOT/scripts/kernel-problems" "$log"; then
		echo "vm-run: the kernel reported a problem before the cut:" >&2
		grep -nFf "$REPO_ROOT/scripts/kernel-problems" "$log" | head -5 >&2
		show_console "$log"
		exit 125
	fi
	exit 0
fi
if [ -f "$work/boot.stalled" ]; then
	echo "vm-run: the guest's kernel did not start /init within ${boot_limit}s: the boot stalled and the guest was stopped" >&2
	echo "  next step: run it again; if it stalls again, see the console below (VM_BOOT_LIMIT= gives a slow kernel longer)" >&2
	show_console "$log"
	exit 124
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "vm-run: guest killed at the ${timeout}s timeout" >&2
	show_console "$log"
	exit 124
fi
if [ -z "$rc" ]; then
	echo "vm-run: guest ended without reporting an exit status (qemu exit $qrc)" >&2
	cat "$work/qemu.log" >&2
	show_console "$log"
	exit 125
fi
# What counts as the kernel reporting a problem: one list for the runner,
# the harness and the guest (scripts/kernel-problems, fixed strings).
if grep -qFf "$REPO_ROOT/scripts/kernel-problems" "$log"; then
	echo "vm-run: the kernel reported a problem:" >&2
	grep -nFf "$REPO_ROOT/scripts/kernel-problems" "$log" | head -5 >&2
	show_console "$log"
	[ "$rc" = 0 ] && exit 125
fi
exit "$rc"
