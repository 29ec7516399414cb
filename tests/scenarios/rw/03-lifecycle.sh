# harness: scsi-disks=$TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern
# harness: host-check=scripts/compare-fat-images.sh --fsck
# harness: timeout=240
# A read-write mount's life, on FAT16 and FAT32 behind rust_ncr810: the
# mount pins rust_vfat; the volume's dirty flag is set on the disk while
# mounted read-write, cleared by remount,ro (after which writes fail with
# EROFS), set again by remount,rw, cleared by a clean unmount; umount with
# an open file is EBUSY; an unlinked file that is still open keeps its
# clusters until the last close; everything written is on the disk after
# the unmount (read back by the C vfat), and the modules unload. After
# power-off both images pass fsck.fat -n on the host (which fails on a
# dirty flag left set).
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
mkdir -p /mnt/w
p=/vm/files/pattern

# Bit 0 of the boot sector's state byte as on the disk (O_DIRECT: past
# the page cache).
dirty_flag() { # device offset
	dd if="$1" of=/tmp/boot bs=512 count=1 iflag=direct 2>/dev/null
	echo $(($(od -An -tu1 -j "$2" -N1 /tmp/boot) & 1))
}

t=0
for kind in fat16:37 fat32:65; do
	name=${kind%:*} off=${kind#*:}
	dev=$(scsi_disk "$host" $t) || fail "no disk at target $t"
	t=$((t + 1))
	step "$name ($dev): mount read-write"
	check_eq "$name: dirty flag before the mount" "$(dirty_flag "$dev" $off)" 0
	must mount -t rust_vfat "$dev" /mnt/w
	check "$name: the mount is not read-write" grep -q "^$dev /mnt/w rust_vfat rw" /proc/mounts
	check "$name: rust_vfat is not pinned by the mount (refcount $(refcount rust_vfat))" [ "$(refcount rust_vfat)" -ge 1 ]
	must_fail rmmod rust_vfat
	check_eq "$name: dirty flag while mounted read-write" "$(dirty_flag "$dev" $off)" 1

	step "$name: write, EBUSY with an open file, remount,ro and remount,rw"
	must cp $p /mnt/w/written.bin
	head -c 40000 $p >/mnt/w/doomed.bin
	exec 3</mnt/w/written.bin
	check "$name: umount with an open file succeeded" sh -c "! umount /mnt/w 2>/dev/null"
	exec 3<&-
	must mount -o remount,ro /mnt/w
	check_eq "$name: dirty flag after remount,ro" "$(dirty_flag "$dev" $off)" 0
	check "$name: a write succeeded on a read-only remount" sh -c "! echo x 2>/dev/null >/mnt/w/nope.txt"
	must mount -o remount,rw /mnt/w
	check_eq "$name: dirty flag after remount,rw" "$(dirty_flag "$dev" $off)" 1

	step "$name: an unlinked file keeps its clusters until the last close"
	sync
	free0=$(stat -f -c %f /mnt/w)
	exec 3</mnt/w/doomed.bin
	must rm /mnt/w/doomed.bin
	head -c 40000 $p >/tmp/want
	check "$name: the unlinked open file does not read back" cmp -s /tmp/want - <&3
	free1=$(stat -f -c %f /mnt/w)
	exec 3<&-
	free2=$(stat -f -c %f /mnt/w)
	echo "free clusters: $free0 before the unlink, $free1 while open, $free2 after the close"
	check_eq "$name: free clusters while the unlinked file is open" "$free1" "$free0"
	check "$name: the last close freed no clusters ($free2 after, $free1 before)" [ "$free2" -gt "$free1" ]

	step "$name: unmount writes everything back"
	must umount /mnt/w
	check_eq "$name: dirty flag after a clean unmount" "$(dirty_flag "$dev" $off)" 0
	must mount -t vfat -o ro "$dev" /mnt/w
	check "$name: the file read back by vfat differs" cmp /mnt/w/written.bin $p
	check "$name: the unlinked file is still listed" [ ! -e /mnt/w/doomed.bin ]
	must umount /mnt/w
done
step "the modules unload once nothing is mounted"
must rmmod rust_vfat
must rmmod rust_fat
no_kernel_problems
scenario_done
