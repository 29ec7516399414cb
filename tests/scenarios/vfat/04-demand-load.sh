# harness: files=$TEST_DATA/images/fat12-basic.img
# The kernel loads file systems on demand: mount -t rust_vfat with nothing
# loaded makes it request fs-rust_vfat, and modprobe loads rust_fat then
# rust_vfat; the same for rust_msdos, and for the C twins vfat and msdos.
. /vm/lib.sh
img=/vm/files/fat12-basic.img
for m in rust_vfat rust_msdos rust_fat vfat msdos fat; do
	loaded $m && fail "$m loaded before the test"
done
cat /proc/sys/kernel/modprobe
mkdir -p /mnt/r /mnt/m /mnt/c
losetup -r /dev/loop0 $img && losetup -r /dev/loop1 $img && losetup -r /dev/loop2 $img || fail "losetup failed"
dmesg_mark
step "mount -t rust_vfat: the kernel calls modprobe fs-rust_vfat"
must mount -t rust_vfat /dev/loop0 /mnt/r
loaded rust_vfat || fail "rust_vfat not loaded on demand"
loaded rust_fat || fail "rust_fat not loaded on demand"
dmesg_new | grep -E 'rust_(v?fat): loaded' | head -2 | tee /tmp/order
head -1 /tmp/order | grep -q 'rust_fat:' || fail "rust_fat did not load first"
ls /mnt/r
step "mount -t rust_msdos loads rust_msdos on the same core"
must mount -t rust_msdos /dev/loop1 /mnt/m
loaded rust_msdos || fail "rust_msdos not loaded on demand"
ls /mnt/m
lsmod | grep -E '^rust_fat\s+[0-9]+\s+2\s+rust_msdos,rust_vfat$' || fail "lsmod does not show rust_fat used by rust_msdos,rust_vfat"
step "the C twin: mount -t vfat loads vfat and fat"
must mount -t vfat -o ro /dev/loop2 /mnt/c
loaded vfat || fail "vfat not loaded on demand"
loaded fat || fail "fat not loaded on demand"
grep -E '^(rust_)?(v?fat|msdos) ' /proc/modules
umount /mnt/r; umount /mnt/m; umount /mnt/c
scenario_done
