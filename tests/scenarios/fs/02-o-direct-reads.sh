# harness: files=$TEST_DATA/images/fat12-basic.img $TEST_DATA/images/fat32-many.img
# harness: timeout=120
# O_DIRECT reads work on the C vfat (fat_direct_IO: blockdev_direct_IO over
# fat_get_block) and return the file's bytes; programs that open with
# O_DIRECT (dd iflag=direct, databases, QEMU's cache=none) must be able to
# read a rust_vfat volume too. rust_fat_aops has no direct_IO, so the VFS
# refuses the open with EINVAL.
. /vm/lib.sh
F=/vm/files
must modprobe vfat
status=0
for img in fat12-basic fat32-many; do
	mount_pair $F/$img.img rust_vfat vfat utf8 || fail "mount -t rust_vfat $img failed"
	n=0
	(cd /mnt/c && find . -type f | head -20) >/tmp/files
	while read -r f; do
		dd if="/mnt/c/$f" of=/tmp/c.bin bs=4096 iflag=direct 2>/dev/null ||
			fail "C vfat: O_DIRECT read of $f failed: the scenario is wrong"
		count_check
		if dd if="/mnt/r/$f" of=/tmp/r.bin bs=4096 iflag=direct 2>/tmp/err; then
			cmp -s /tmp/c.bin /tmp/r.bin || { echo "FAIL $img $f: O_DIRECT read gives other bytes than the C vfat"; status=1; }
		else
			echo "FAIL $img $f: O_DIRECT read: $(cat /tmp/err)"; status=1
		fi
		n=$((n + 1))
	done </tmp/files
	echo "$img: $n files read with O_DIRECT"
	check "$img: no file to read (the image is not the one expected)" [ "$n" -gt 0 ]
	umount_pair
done
check "an O_DIRECT read failed or differed (its FAIL line above)" [ $status = 0 ]
scenario_done
