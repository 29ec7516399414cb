# insmod of the consumer without its exporter fails on the missing symbols
# and leaves nothing behind.
. /vm/lib.sh
ko=$(modinfo -n rust_vfat)
dmesg_mark
step "insmod $ko without rust_fat"
must_fail insmod "$ko"
echo "$OUT" | grep -q 'Unknown symbol in module' || fail "insmod did not report unknown symbols"
dmesg_has 'rust_vfat: Unknown symbol _R[^ ]*(rust_fat_core|fat_disk)[^ ]* \(err -2\)'
loaded rust_vfat && fail "rust_vfat is loaded after the failed insmod"
loaded rust_fat && fail "rust_fat got loaded"
check "/sys/module/rust_vfat exists" [ ! -e /sys/module/rust_vfat ]
scenario_done
