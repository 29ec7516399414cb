# harness: files=$TEST_DATA/rw/fat32.img
# harness: no-ncr810
# A FAT32 volume whose FSInfo sector has no valid signature: fs/fat warns
# at mount and at each write-back of the free count
# (fat_clusters_flush: "Invalid FSINFO signature", then success), and the
# volume stays read-write; a clean unmount clears the boot sector's dirty
# flag. rust_fat used to take the refused FSInfo write for damage: under
# errors=remount-ro (the default) the first sync after a write made the
# mount read-only, later writes failed with EROFS and the unmount left the
# dirty flag set (a red-team pass). Each driver on its own copy.
. /vm/lib.sh
mkdir -p /mnt/w
for fs in vfat rust_vfat; do
	cp /vm/files/fat32.img /tmp/w.img
	# FSInfo is sector 1: its lead signature "RRaA" becomes "XRaA".
	printf X | dd of=/tmp/w.img bs=1 seek=512 conv=notrunc 2>/dev/null
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	dmesg_mark
	must mount -t $fs /dev/loop0 /mnt/w
	echo one >/mnt/w/one.txt
	sync
	two=$( (echo two >/mnt/w/two.txt) 2>&1 && echo ok)
	opts=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
	dmesg_has "Invalid FSINFO signature: 0x41615258, 0x61417272 \(sector = 1\)"
	must umount /mnt/w
	losetup -d /dev/loop0
	state=$(dd if=/tmp/w.img bs=1 skip=65 count=1 2>/dev/null | od -An -tx1 | tr -d ' ')
	echo "$fs: write after sync: ${two##*: }; mount $opts; state byte after umount $state" | tee /tmp/out.$fs
	dmesg_new | grep -E 'FSINFO|read-only' | sed 's/^/  /'
done
check_eq "rust_vfat against vfat" "$(cut -d: -f2- /tmp/out.rust_vfat)" "$(cut -d: -f2- /tmp/out.vfat)"
check_eq "vfat's outcome" "$(cut -d: -f2- /tmp/out.vfat)" " write after sync: ok; mount rw; state byte after umount 00"
no_kernel_problems
scenario_done
