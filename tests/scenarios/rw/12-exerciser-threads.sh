# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/fsexer
# harness: qemu-args=-smp 2
# harness: host-check=scripts/compare-fat-images.sh --fsck
# harness: timeout=900
# The exerciser of rw/11 with four threads on two CPUs: each thread owns a
# directory of its own, checked against its own model after every step
# as in rw/11, and keeps files and directories of its own in one shared
# directory (creates, renames into and out of it, unlinks there), whose
# listing each thread checks for its own entries only while the others
# change theirs. Every 500 operations all four stop, the volume is
# unmounted and mounted again and each thread checks its whole tree from
# the disk; at the end the trees are checked through the other driver.
# rust_vfat on FAT32 (checked through vfat), then, shorter, the C vfat
# (checked through rust_vfat) to prove the model under threads on the
# oracle. The seed is printed (thread i uses seed + i); `fsexer.seed=N`
# on the kernel command line (VM_APPEND) runs another. The host runs
# fsck.fat -n on both images after power-off.
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
seed=$(sed -n 's/.*fsexer\.seed=\([0-9]*\).*/\1/p' /proc/cmdline)
seed=${seed:-12}
x=/vm/files/fsexer
mkdir -p /mnt/w
two_cpus

# exer DISK TYPE CHECK-TYPE OPS-PER-THREAD
exer() {
	_dev=$(scsi_disk "$host" $1) || fail "no disk at target $1"
	step "4 threads x $4 operations on $2 ($_dev), checked at the end through $3"
	must mount -t $2 "$_dev" /mnt/w
	must $x -s $seed -t 4 -S -n $4 -B 6291456 -M "$_dev" -T $2 -C $3 -r 500 /mnt/w
	must umount /mnt/w
}

exer 0 rust_vfat vfat $(reps 500 25000)
exer 1 vfat rust_vfat $(reps 200 2500)
no_kernel_problems
scenario_done
