# harness: files=$TEST_DATA/fatstress $TEST_DATA/images/fat12-basic.img $TEST_DATA/images/fat16-unicode.img $TEST_DATA/bad
# harness: timeout=600
# On the debug kernel (KASAN, kmemleak, lockdep): load/unload cycles of
# every module, mounts of good and malformed images with every file read,
# a mutation stress and concurrent readers, then kmemleak must report
# nothing that our modules allocated.
# (KASAN and lockdep findings fail the run through the harness's
# BUG:/WARNING: check of the console log.)
. /vm/lib.sh
F=/vm/files
kmemleak_start
for i in $(seq 1 20); do
	must modprobe rust_vfat
	must modprobe rust_msdos
	must modprobe -r rust_vfat
	must modprobe -r rust_msdos
	must modprobe rust_ncr810
	must rmmod rust_ncr810
done
must modprobe rust_vfat
mkdir -p /mnt/r
for img in $F/*.img $F/bad/*.img; do
	losetup -r /dev/loop0 "$img" || fail "losetup $img failed"
	for type in rust_vfat rust_msdos; do
		if mount -t $type /dev/loop0 /mnt/r 2>/dev/null; then
			find /mnt/r -maxdepth 6 -type f -exec cat {} + >/dev/null 2>&1
			must umount /mnt/r
		fi
	done
	losetup -d /dev/loop0
done
must $F/fatstress mutate 200 7 rust_vfat $F/fat12-basic.img $F/fat16-unicode.img
losetup -r /dev/loop0 $F/fat12-basic.img
must mount -t rust_vfat /dev/loop0 /mnt/r
must $F/fatstress parallel 4 /mnt/r
must umount /mnt/r
losetup -d /dev/loop0
must modprobe -r rust_vfat
must modprobe -r rust_msdos
must modprobe rust_ncr810
echo 0000:00:03.0 >/sys/bus/pci/drivers/rust_ncr810/unbind
echo 0000:00:03.0 >/sys/bus/pci/drivers/rust_ncr810/bind
must rmmod rust_ncr810
kmemleak_check
scenario_done
