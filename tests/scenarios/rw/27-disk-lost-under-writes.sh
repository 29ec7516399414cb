# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: timeout=120
# A disk that goes away under a mounted file system and its writers, in
# both ways a SCSI disk goes: the disk alone (its device deleted, as a
# hot-unplugged disk is) and the whole host (rust_ncr810 unbound).
# rust_vfat is on target 0, rust_msdos on target 1 and the C vfat on
# target 2, three copies of one FAT32 volume, each with files synced
# before the loss and a writer running at it.
# - The writers end (no hang), and the kernel reports no problem.
# - What is not in memory then fails with EIO on ours: a directory listed,
#   a file opened by name, a file created in a directory the writers left
#   alone (the root's block, dirtied by the writers' times, stays in
#   memory, so a create there still succeeds, as on C's vfat, and is lost
#   with the disk). C's vfat answers ENOENT there, taking the failed reads
#   for an empty directory; its answers are printed, not judged
#   (docs/differences-from-c.md).
# - Our error lines stay rate-limited, unmount succeeds, and nothing stays
#   pinned: rust_vfat, rust_msdos, rust_fat and rust_ncr810 all unload.
# - Once the disks are back (a bus rescan, the driver bound again), every
#   file synced before the loss reads back exactly, on each driver.
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
pci=$(basename "$(readlink -f /sys/class/scsi_host/host$host/../../..)")
[ -e /sys/bus/pci/drivers/rust_ncr810/$pci ] || fail "no PCI device of host $host ($pci)"

# Target, file system and mount point of each disk.
set -- "0 rust_vfat" "1 rust_msdos" "2 vfat"
for m in "$@"; do
	set -- $m
	d=$(scsi_disk "$host" "$1") || fail "no disk at target $1"
	mkdir -p /mnt/$2
	must mount -t "$2" "$d" /mnt/$2
	must mkdir /mnt/$2/keep
	i=0
	while [ $i -lt 12 ]; do
		dd if=/dev/urandom of=/mnt/$2/keep/F$i bs=4k count=$((i + 1)) 2>/dev/null ||
			fail "$2: writing keep/F$i"
		i=$((i + 1))
	done
	mkdir /mnt/$2/busy
done
sync
for fs in rust_vfat rust_msdos vfat; do
	(cd /mnt/$fs/keep && sha256sum *) >/tmp/sums.$fs
done
# The caches dropped: what the checks below read must come from the disk.
echo 3 >/proc/sys/vm/drop_caches

# A writer of one mount: new files, appends and renames until the disk
# fails it or it has done its rounds; it says how far it got.
writer() {
	_i=0
	while [ $_i -lt 2000 ]; do
		dd if=/dev/zero of=/mnt/$1/busy/W$_i bs=8k count=4 2>/dev/null || break
		echo "$_i" >>/mnt/$1/busy/LOG 2>/dev/null || break
		mv /mnt/$1/busy/W$_i /mnt/$1/busy/R$_i 2>/dev/null || break
		_i=$((_i + 1))
	done
	echo "$1: writer stopped after $_i rounds"
}

# Whether the last must_fail's output names EIO.
said_eio() { case "$OUT" in *"Input/output error"*) return 0 ;; esac; return 1; }

# The checks of one of our mounts once its disk is gone.
lost_checks() { # FS
	must_fail ls /mnt/$1/keep
	check "$1: listing keep fails with EIO" said_eio
	must_fail cat /mnt/$1/keep/F5
	check "$1: opening keep/F5 fails with EIO" said_eio
	must_fail touch /mnt/$1/keep/new
	check "$1: a create in keep fails with EIO" said_eio
	sync
	must umount /mnt/$1
}

# What C's vfat answers in the same place, shown.
c_answers() {
	for c in "ls /mnt/vfat/keep" "cat /mnt/vfat/keep/F5" "touch /mnt/vfat/keep/new"; do
		out=$($c 2>&1 >/dev/null)
		echo "  vfat: $c: exit $?: $out"
	done
	sync
	must umount /mnt/vfat
}

dmesg_mark
step "the disk under rust_vfat deleted while its writer runs"
writer rust_vfat &
w=$!
sleep 1
d0=$(scsi_disk "$host" 0)
echo 1 >/sys/block/${d0#/dev/}/device/delete || fail "deleting $d0"
wait $w
lost_checks rust_vfat

step "rust_ncr810 unbound under rust_msdos, vfat and their writers"
writer rust_msdos &
w1=$!
writer vfat &
w2=$!
sleep 1
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind || fail "unbinding $pci"
wait $w1
wait $w2
lost_checks rust_msdos
c_answers

step "nothing pinned, the error lines rate-limited"
no_kernel_problems
n=$(dmesg_new | grep -c 'rust_fat: ')
echo "rust_fat's lines since the first loss: $n"
dmesg_new | grep 'rust_fat: ' | sed 's/^\[[ 0-9.]*\] //' | sort | uniq -c | sort -rn | head -n 5
# Two mounts and their writers, each line kind limited to a burst of
# ten by printk's default rate limit.
check "rust_fat's error lines are rate-limited ($n)" [ "$n" -le 40 ]
must rmmod rust_vfat rust_msdos
must rmmod rust_fat
must rmmod rust_ncr810

step "the disks back: what was synced before the loss is intact"
must modprobe rust_ncr810
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810 after the rebind"
for m in "0 rust_vfat" "1 rust_msdos" "2 vfat"; do
	set -- $m
	d=$(scsi_disk "$host" "$1") || fail "no disk at target $1 after the rebind"
	must mount -t "$2" -o ro "$d" /mnt/$2
	(cd /mnt/$2/keep && sha256sum -c /tmp/sums.$2 >/tmp/check.$2 2>&1)
	check "$2: the 12 files synced before the loss read back exactly" [ "$(grep -c ': OK$' /tmp/check.$2)" = 12 ]
	must umount /mnt/$2
done
no_kernel_problems
scenario_done
