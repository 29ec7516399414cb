# An open debugfs state file held across an unbind: the device's data is
# gone, so a read fails with EIO (debugfs drained and removed the file) and
# does not crash; the open file still holds the module until it is closed,
# and the close is harmless.
. /vm/lib.sh
must modprobe rust_ncr810
dev=$(ncr810_devices)
f=/sys/kernel/debug/rust_ncr810-$dev/state
drv=/sys/bus/pci/drivers/rust_ncr810

exec 3<"$f" || fail "cannot open $f"
step "unbind with the file open"
dmesg_mark
echo $dev >$drv/unbind || fail "unbind failed"
dmesg_has "rust_ncr810 $dev: remove: chip reset"
check "still bound after unbind" [ ! -e /sys/bus/pci/devices/$dev/driver ]
check "$f still there after unbind" [ ! -e "$f" ]

step "read through the open file"
must_fail cat <&3
echo "$OUT" | grep -q 'Input/output error' || fail "read after unbind did not fail with EIO: $OUT"
step "the open file still holds the module"
[ "$(refcount rust_ncr810)" = 1 ] || fail "use count $(refcount rust_ncr810) with the file open, want 1"
must_fail rmmod rust_ncr810
echo "$OUT" | grep -q 'Module rust_ncr810 is in use' || fail "rmmod refused, but not as in use: $OUT"
loaded rust_ncr810 || fail "rust_ncr810 unloaded while its debugfs file is open"

step "close, bind again, rmmod"
exec 3<&-
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) after closing, want 0"
echo $dev >$drv/bind || fail "bind failed"
check "state after bind lacks the SCSI ID" grep -q '^scsi_id: 7$' "$f"
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded after rmmod"
no_kernel_problems
scenario_done
