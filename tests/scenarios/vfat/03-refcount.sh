# harness: files=$TEST_DATA/images/fat12-basic.img
# A module in use cannot be unloaded: the core while a namespace layer is
# loaded, a namespace layer while one of its file systems is mounted, and
# after a lazy unmount while a file of it is still open.
. /vm/lib.sh
img=/vm/files/fat12-basic.img
mkdir -p /mnt/r
losetup -r /dev/loop0 $img || fail "losetup failed"
must modprobe rust_vfat
step "rmmod rust_fat while rust_vfat uses it"
must_fail rmmod rust_fat
echo "$OUT" | grep -q 'Module rust_fat is in use by: rust_vfat' || fail "unexpected rmmod message"
loaded rust_fat || fail "rust_fat went away"
step "a mount pins rust_vfat"
check "rust_vfat use count not 0 before the mount" [ "$(refcount rust_vfat)" = 0 ]
must mount -t rust_vfat /dev/loop0 /mnt/r
[ "$(refcount rust_vfat)" = 1 ] || fail "use count $(refcount rust_vfat) while mounted, want 1"
must_fail rmmod rust_vfat
echo "$OUT" | grep -q 'Module rust_vfat is in use' || fail "unexpected rmmod message"
step "a lazy unmount with a file open keeps the module pinned until the file closes"
exec 3</mnt/r/README.TXT
must umount -l /mnt/r
[ "$(refcount rust_vfat)" = 1 ] || fail "use count $(refcount rust_vfat) after umount -l with a file open, want 1"
must_fail rmmod rust_vfat
cat <&3 >/dev/null || fail "reading the open file after umount -l failed"
exec 3<&-
check "use count not back to 0 after the last close" [ "$(refcount rust_vfat)" = 0 ]
step "then both unload, namespace layer first"
dmesg_mark
must rmmod rust_vfat
must rmmod rust_fat
dmesg_has 'rust_vfat: unloading'
dmesg_has 'rust_fat: unloading'
loaded rust_fat && fail "rust_fat still loaded"
step "modprobe -r removes the whole stack"
must modprobe rust_vfat
must modprobe -r rust_vfat
loaded rust_vfat && fail "rust_vfat still loaded"
loaded rust_fat && fail "modprobe -r left rust_fat loaded"
losetup -d /dev/loop0
scenario_done
