# A module in use cannot be unloaded: the exporter while the consumer is
# loaded, the consumer while its device is open.
. /bench/lib.sh
must modprobe rust_vfat
step "rmmod rust_fat while rust_vfat uses it"
must_fail rmmod rust_fat
echo "$OUT" | grep -q 'Module rust_fat is in use by: rust_vfat' || fail "unexpected rmmod message"
loaded rust_fat || fail "rust_fat went away"
step "an open /dev/rust_vfat pins rust_vfat"
[ "$(refcount rust_vfat)" = 0 ] || fail "rust_vfat use count not 0 before open"
exec 3<>/dev/rust_vfat
[ "$(refcount rust_vfat)" = 1 ] || fail "use count $(refcount rust_vfat) with the device open, want 1"
must_fail rmmod rust_vfat
echo "$OUT" | grep -q 'Module rust_vfat is in use' || fail "unexpected rmmod message"
exec 3<&-
[ "$(refcount rust_vfat)" = 0 ] || fail "use count not back to 0 after close"
step "after close both unload, consumer first"
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
exit 0
