# harness: scsi-disks=$TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool
# harness: host-check=scripts/check-rename-cut.sh rust_vfat,vfat
# A rename never leaves two entries naming one cluster chain on the disk
# (a cross-link, which fsck.fat repairs by cutting a file to nothing):
# whatever part of the write-back reaches the disk before a power cut,
# the new entry gets the chain only after the old entry's deletion is
# there. On rust_vfat (target 0) and the C vfat (target 1), two copies of
# one FAT32 volume: two files are renamed into a directory 2 MiB away,
# one over a file there, one to a new name; then every dirty block is
# written back but the 64 KiB around the old entries (rwtool flushbut),
# and the power is cut. On the host fsck.fat must find no cross-link,
# and the images must show that the write-back went that way: the old
# names still there, the new name written (scripts/check-rename-cut.sh).
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
rust=$(scsi_disk "$host" 0) || fail "no disk at target 0"
c=$(scsi_disk "$host" 1) || fail "no disk at target 1"
t=/vm/files/rwtool
p=/vm/files/pattern
# No periodic write-back: only what the scenario writes reaches the disks.
echo 0 >/proc/sys/vm/dirty_writeback_centisecs
echo 360000 >/proc/sys/vm/dirty_expire_centisecs
mkdir -p /mnt/rust /mnt/c
must mount -t rust_vfat "$rust" /mnt/rust
must mount -t vfat "$c" /mnt/c
for m in /mnt/rust /mnt/c; do
	head -c 40000 $p >$m/moveover.dat
	head -c 30000 $p >$m/moveaway.dat
	must dd if=/dev/zero of=$m/spacer.bin bs=64k count=32 status=none
	mkdir $m/far
	head -c 20000 $p >$m/far/target.dat
done
must sync
for m in /mnt/rust /mnt/c; do
	must mv $m/moveover.dat $m/far/target.dat
	must mv $m/moveaway.dat $m/far/newname.dat
done
for d in "$rust" "$c"; do
	must $t flushbut "$d" MOVEOVERDAT MOVEAWAYDAT
done
power_cut_now 0
