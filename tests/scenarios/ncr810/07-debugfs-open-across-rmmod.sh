# The debugfs state file held open across rmmod: the file holds
# nothing, so rmmod succeeds; reads through it then fail with EIO, and its
# close is harmless. Before the fix this close oopsed in debugfs's
# full_proxy_release, which called through the unloaded module's
# file_operations (the kernel crate's debugfs file, no owner). A
# file_operations with an owner, the next fix, pinned the module but let an
# open racing rmmod warn in full_proxy_open_regular; the file's operations
# are now debugfs's short ones, which the removal drains.
. /vm/lib.sh
coldplug_pci
dev=$(ncr810_devices)
f=/sys/kernel/debug/rust_ncr810-$dev/state
loaded rust_ncr810 || fail "coldplug did not load rust_ncr810"

step "open $f and read it"
exec 3<"$f" || fail "cannot open $f"
[ "$(refcount rust_ncr810)" = 0 ] || fail "use count $(refcount rust_ncr810) with the file open, want 0: the file pins the module"
dd bs=4096 count=1 <&3 >/tmp/state 2>/dev/null || fail "read through the open file failed"
check "state read through the open file lacks the SCSI ID" grep -q '^scsi_id: 7$' /tmp/state

step "rmmod with the file open"
dmesg_mark
must rmmod rust_ncr810
loaded rust_ncr810 && fail "still loaded after rmmod"
dmesg_has "rust_ncr810 $dev: remove: chip reset"
check "$f left behind" [ ! -e "$f" ]

step "read through the open file: EIO; close"
must_fail cat <&3
echo "$OUT" | grep -q 'Input/output error' || fail "read after rmmod did not fail with EIO: $OUT"
exec 3<&-

step "modprobe again: a new file"
must modprobe rust_ncr810
check "state after modprobe lacks the SCSI ID" grep -q '^scsi_id: 7$' "$f"
must rmmod rust_ncr810
no_kernel_problems
scenario_done
