# harness: files=$TEST_DATA/rw/fat16.img
# harness: no-ncr810
# A volume whose boot sector says it was not cleanly unmounted keeps that
# flag through read-write mounts and remounts, and fat_set_state warns
# "Volume was not properly unmounted" each time it would have marked the
# volume dirty: at a read-write mount and at each remount read-write.
# rust_fat used to warn at the mount only (a red-team pass). Each driver
# on its own copy: mount read-only, remount read-write, read-only,
# read-write again, unmount, mount read-write, unmount.
. /vm/lib.sh
mkdir -p /mnt/w
for fs in vfat rust_vfat msdos rust_msdos; do
	cp /vm/files/fat16.img /tmp/w.img
	printf '\001' | dd of=/tmp/w.img bs=1 seek=37 conv=notrunc 2>/dev/null
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	dmesg_mark
	must mount -t $fs -o ro /dev/loop0 /mnt/w
	must mount -o remount,rw /mnt/w
	echo x >/mnt/w/x.txt
	must mount -o remount,ro /mnt/w
	must mount -o remount,rw /mnt/w
	must umount /mnt/w
	must mount -t $fs /dev/loop0 /mnt/w
	must umount /mnt/w
	losetup -d /dev/loop0
	n=$(dmesg_new | grep -c 'Volume was not properly unmounted')
	state=$(dd if=/tmp/w.img bs=1 skip=37 count=1 2>/dev/null | od -An -tx1 | tr -d ' ')
	echo "$fs: $n warnings, state byte $state" | tee /tmp/out.$fs
done
check_eq "vfat" "$(cut -d: -f2- /tmp/out.vfat)" " 3 warnings, state byte 01"
check_each_against_c /tmp/out
no_kernel_problems
scenario_done
