# harness: files=$TEST_DATA/rw/fat32.img
# harness: no-ncr810
# A FAT32 volume whose FSInfo free count is lower than the clusters a
# write takes, mounted without usefree: fs/fat's count is an unsigned int
# that goes from 0 to -1, "unknown", so the stored count is left as it
# was at unmount (and statfs counts the FAT). rust_fat used to stop at 0
# and count up again with the clusters freed after, writing another
# number than C's (a red-team pass). Each driver on its own copy.
. /vm/lib.sh
mkdir -p /mnt/w
fsinfo_free() { dd if=/tmp/w.img bs=1 skip=1000 count=4 2>/dev/null | od -An -tu4 | tr -d ' '; }
for fs in vfat rust_vfat; do
	cp /vm/files/fat32.img /tmp/w.img
	# FSInfo is sector 1; its free count (offset 488) says 3.
	printf '\003\000\000\000' | dd of=/tmp/w.img bs=1 seek=1000 conv=notrunc 2>/dev/null
	check_eq "$fs: the planted count" "$(fsinfo_free)" 3
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	# 40 clusters of 512 bytes taken, then 137 given back.
	head -c 20480 /dev/zero >/mnt/w/new.bin
	sync
	rm /mnt/w/big.bin
	must umount /mnt/w
	losetup -d /dev/loop0
	echo "$fs: FSInfo free count after umount: $(fsinfo_free)" | tee /tmp/out.$fs
done
check_eq "rust_vfat against vfat" "$(cut -d: -f2- /tmp/out.rust_vfat)" "$(cut -d: -f2- /tmp/out.vfat)"
check_eq "vfat's count" "$(cut -d: -f2- /tmp/out.vfat)" " FSInfo free count after umount: 3"
no_kernel_problems
scenario_done
