# bench: files=$BENCH_DATA/images/fat12-basic.img
# The kernel loads modules on demand: opening a char-major-10-243 node with
# nothing loaded loads rust_vfat (and rust_fat); mounting vfat loads the C
# twins vfat and fat.
. /bench/lib.sh
loaded rust_vfat && fail "rust_vfat loaded before the test"
cat /proc/sys/kernel/modprobe
mknod /tmp/rust_vfat c 10 243
dmesg_mark
step "open the node: the kernel calls modprobe char-major-10-243"
exec 3<>/tmp/rust_vfat || fail "open of 10:243 failed: no module was loaded on demand"
loaded rust_vfat || fail "rust_vfat not loaded on demand"
loaded rust_fat || fail "rust_fat not loaded on demand"
exec 3<&-
dmesg_has 'rust_fat: loaded'
dmesg_has 'rust_vfat: loaded'
step "the C twin: mount -t vfat loads vfat and fat"
loaded vfat && fail "vfat loaded before the mount"
mkdir -p /mnt/c
loop_mount /bench/files/fat12-basic.img /mnt/c ro
loaded vfat || fail "vfat not loaded on demand"
loaded fat || fail "fat not loaded on demand"
grep -E '^(vfat|fat) ' /proc/modules
loop_umount /mnt/c
exit 0
