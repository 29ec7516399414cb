# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat12.img
# harness: files=$TEST_DATA/fsexer
# harness: host-check=scripts/compare-fat-images.sh --fsck
# harness: timeout=900
# The exerciser with a model (tests/guest/fsexer.c), one thread: random
# creates, writes at offsets, O_APPEND, O_TRUNC, shared writable mmap
# writes (also through a mapping kept across operations), truncates up
# and down, fallocate, aligned O_DIRECT writes and reads,
# renames within and across directories (over files and directories, into
# a descendant, RENAME_NOREPLACE, RENAME_EXCHANGE), unlinks (also of open
# files), mkdir, rmdir, fsync and drop_caches, each checked against an
# in-memory model: the errno C gives, then sizes, link counts, contents
# and listings. Every 500 operations it unmounts and mounts again and
# checks the whole tree from the disk; at the end it checks the tree once
# more through the other driver. First the C vfat on FAT32 (checked
# through rust_vfat), to prove the model on the oracle; then rust_vfat on
# FAT32 with 512-byte clusters (checked through vfat), rust_msdos with
# 8.3 names on FAT16 (checked through msdos) and rust_vfat on a 4 MiB
# FAT12 (checked through vfat). The seed is printed; `fsexer.seed=N` on
# the kernel command line (VM_APPEND) runs another. The host runs
# fsck.fat -n on all four images after power-off.
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
seed=$(sed -n 's/.*fsexer\.seed=\([0-9]*\).*/\1/p' /proc/cmdline)
seed=${seed:-11}
x=/vm/files/fsexer
mkdir -p /mnt/w

# exer DISK TYPE CHECK-TYPE OPS [FSEXER-OPTIONS...]
exer() {
	_dev=$(scsi_disk "$host" $1) || fail "no disk at target $1"
	_type=$2 _other=$3 _n=$4
	shift 4
	step "$_n operations on $_type ($_dev), checked at the end through $_other"
	must mount -t $_type "$_dev" /mnt/w
	must $x -s $seed -n $_n -M "$_dev" -T $_type -C $_other -r 500 "$@" /mnt/w
	must umount /mnt/w
}

exer 0 vfat rust_vfat $(reps 500 20000)
exer 1 rust_vfat vfat $(reps 2000 100000)
exer 2 rust_msdos msdos $(reps 500 20000) -8
exer 3 rust_vfat vfat $(reps 500 20000) -B 1500000 -m 98304
no_kernel_problems
scenario_done
