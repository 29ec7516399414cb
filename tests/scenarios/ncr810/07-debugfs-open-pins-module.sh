# An open debugfs state file pins rust_ncr810 (issue 12). Before the fix
# the kernel crate's debugfs file had no owner: rmmod succeeded with the
# file open, and closing it oopsed in debugfs's full_proxy_release, which
# called through the unloaded module's file_operations.
. /vm/lib.sh
coldplug_pci
dev=$(ncr810_devices)
f=/sys/kernel/debug/rust_ncr810-$dev/state
loaded rust_ncr810 || fail "coldplug did not load rust_ncr810"
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) before opening, want 0"

step "open $f: the module is in use"
exec 3<"$f" || fail "cannot open $f"
[ "$(refcount rust_ncr810)" = 1 ] || fail "use count $(refcount rust_ncr810) with the file open, want 1"
must_fail rmmod rust_ncr810
echo "$OUT" | grep -q 'Module rust_ncr810 is in use' || fail "rmmod refused, but not as in use: $OUT"
loaded rust_ncr810 || fail "rust_ncr810 unloaded while its debugfs file is open"
check "$dev unbound by the refused rmmod" [ -e /sys/bus/pci/devices/$dev/driver ]

step "read through the open file, close it"
cat <&3 >/tmp/state || fail "read through the open file failed"
check "state read through the open file lacks the SCSI ID" grep -q '^scsi_id: 7$' /tmp/state
exec 3<&-
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) after closing, want 0"

step "rmmod after the close"
dmesg_mark
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded after rmmod"
dmesg_has "rust_ncr810 $dev: remove: chip reset"
check "$f left behind" [ ! -e "$f" ]
scenario_done
