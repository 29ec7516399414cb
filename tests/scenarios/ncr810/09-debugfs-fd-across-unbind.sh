# An open debugfs state file held across an unbind and a bind: the device's
# data is gone, so a read through it fails with EIO (debugfs drained and
# removed the file) and does not crash. The bind makes a new file that
# reads the state, while the old one still fails; the open file holds
# nothing, and its close is harmless.
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
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) with the file open, want 0"

step "bind again: the new file reads, the old one still fails"
echo $dev >$drv/bind || fail "bind failed"
check "state after bind lacks the SCSI ID" grep -q '^scsi_id: 7$' "$f"
must_fail cat <&3
echo "$OUT" | grep -q 'Input/output error' || fail "read through the old file after bind did not fail with EIO: $OUT"

step "close, rmmod"
exec 3<&-
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded after rmmod"
no_kernel_problems
scenario_done
