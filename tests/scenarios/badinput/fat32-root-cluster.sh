# harness: files=$TEST_DATA/rw/fat32.img
# harness: no-ncr810
# A FAT32 boot sector's root cluster is taken with all its 32 bits, as
# fat_fill_super takes it: one with any of the top four bits set (here
# 0xF0000002, cluster 2 below them) is out of range, and the mount fails
# reading the root directory, on vfat and rust_vfat alike. rust_fat used
# to drop those bits and mount cluster 2 as the root where C refuses the
# volume (a red-team pass). A refused read-write mount leaves the boot
# sector's dirty flag as it was: fat_fill_super marks the volume dirty
# last; rust_fat used to mark it before reading the root directory and
# left a volume it refused dirty (the same pass). A root cluster of 0,
# which C mounts as an empty root whose writes the volume then loses,
# rust_vfat refuses (docs/differences-from-c.md).
. /vm/lib.sh
mkdir -p /mnt/w
# outcome TYPE IMAGE: "mounted" or the mount's error
outcome() {
	losetup /dev/loop0 "$2" || fail "losetup $2 failed"
	if err=$(mount -t $1 /dev/loop0 /mnt/w 2>&1); then
		echo mounted
		umount /mnt/w
	else
		echo "refused: ${err##*: }"
	fi
	losetup -d /dev/loop0
}
# root IMAGE BYTES: the root cluster field (offset 44) set to BYTES (octal escapes)
root() {
	cp /vm/files/fat32.img "$1"
	printf "$2" | dd of="$1" bs=1 seek=44 conv=notrunc 2>/dev/null
}
state() { dd if="$1" bs=1 skip=65 count=1 2>/dev/null | od -An -tx1 | tr -d ' '; }
for fs in vfat rust_vfat; do
	root /tmp/top.img '\002\000\000\360'
	dmesg_mark
	echo "$fs: $(outcome $fs /tmp/top.img); state byte $(state /tmp/top.img)" | tee /tmp/top.$fs
	dmesg_new | grep -E 'FAT-fs|rust_vfat \(loop0\)' | sed 's/^/  /'
done
check_eq "root cluster 0xF0000002 on vfat" "$(cut -d: -f2- /tmp/top.vfat)" " refused: Input/output error; state byte 00"
check_eq "root cluster 0xF0000002 on rust_vfat" "$(cut -d: -f2- /tmp/top.rust_vfat)" "$(cut -d: -f2- /tmp/top.vfat)"
root /tmp/zero.img '\000\000\000\000'
check_eq "root cluster 0 on vfat" "$(outcome vfat /tmp/zero.img)" mounted
dmesg_mark
check_eq "root cluster 0 on rust_vfat" "$(outcome rust_vfat /tmp/zero.img)" "refused: Input/output error"
check_eq "the state byte after rust_vfat refused it" "$(state /tmp/zero.img)" 00
dmesg_has "rust_vfat \(loop0\): reading the root directory"
no_kernel_problems
scenario_done
