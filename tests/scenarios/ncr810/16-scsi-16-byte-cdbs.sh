# harness: qemu-args=-drive if=none,id=huge,driver=null-co,size=3T,read-zeroes=on -device scsi-hd,bus=ncr0.0,scsi-id=0,drive=huge
# harness: files=$TEST_DATA/sgio
# 16-byte CDBs reach the chip: a 3 TiB disk (QEMU's null-co, zeros) has
# more sectors than READ CAPACITY(10) and READ(10) can name, so sd sizes
# it with READ CAPACITY(16) and reads its end with READ(16); both fail
# with DID_ABORT before the driver sees them if the host does not declare
# 16-byte commands (the midlayer's default is 12).
. /vm/lib.sh
dmesg_mark
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
size=$(blockdev --getsize64 "$dev")
echo "$dev: $size bytes"
dmesg_new | grep -E 'Read Capacity|sd .*\[sd' | sed 's/^/  /'
dmesg_new | grep -q 'Read Capacity(16) failed' && fail "READ CAPACITY(16) failed"
check "$dev has $size bytes, not 3 TiB" [ "$size" = $((3 << 40)) ]
step "the last MiB, past 2 TiB: READ(16)"
must dd if="$dev" of=/tmp/last bs=1M skip=$(((3 << 20) - 1)) count=1 iflag=direct
check "the read of the last MiB came back short" [ "$(stat -c %s /tmp/last)" = 1048576 ]
check "the last MiB is not zeros" [ "$(tr -d '\0' </tmp/last | wc -c)" = 0 ]
step "READ(16) of sector 2^32 + 1 through SG_IO"
r=$(/vm/files/sgio read "$dev" 512 88 00 00 00 00 01 00 00 00 01 00 00 00 01 00 00) || fail "SG_IO failed"
echo "$r"
check "READ(16) did not complete: $r" [ "$r" = "status 0 host 0 driver 0 resid 0" ]
scenario_done
