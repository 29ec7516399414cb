# harness: files=$TEST_DATA/images/fat12-basic.img
# harness: timeout=90
# Unloading when no longer needed, as kerneld did: kmod-idled (started by
# the VM's init) removes the modules the kernel loaded on demand for a
# mount once they have been unused for IDLE_SECONDS; never while mounted,
# never a module loaded explicitly.
. /vm/lib.sh
kmod_idle_after 2
mkdir -p /mnt/r
losetup -r /dev/loop0 /vm/files/fat12-basic.img || fail "losetup failed"
step "mount -t rust_vfat loads the stack on demand"
must mount -t rust_vfat /dev/loop0 /mnt/r
check "the demand load of rust_vfat was not noted" grep -qx rust_vfat /run/kmod-demand
step "mounted: kept however long it is idle"
sleep 5
loaded rust_vfat || fail "rust_vfat removed while mounted"
step "unmounted: removed once unused for 2 s"
must umount /mnt/r
lsmod | grep -E '^rust_' | sed 's/^/before: /'
dmesg_mark
wait_unloaded 10 rust_vfat rust_fat
echo "after: $(lsmod | grep -cE '^rust_(v?fat) ') Rust FAT modules loaded"
dmesg_has 'kmod-idled: rust_vfat unused for 2s since it was loaded on demand, removed'
step "a module loaded explicitly stays"
must modprobe rust_vfat
sleep 5
loaded rust_vfat || fail "kmod-idled removed an explicitly loaded module"
step "an explicit modprobe -r still works at any time"
must modprobe -r rust_vfat
losetup -d /dev/loop0
scenario_done
