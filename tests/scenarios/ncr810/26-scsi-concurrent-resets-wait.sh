# harness: scsi-disks=$TEST_DATA/scsi/blank-16m.img $TEST_DATA/scsi/blank-16m.img
# harness: qemu-args=-drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-total=16384 -device scsi-hd,bus=ncr0.0,scsi-id=2,drive=slow
# harness: files=$TEST_DATA/sgio
# harness: timeout=120
# A task management request that meets another waits for it. The midlayer
# keeps SG_SCSI_RESETs apart (an ioctl waits while one is in progress),
# but not from its asynchronous abort of a timed-out command: both reach
# the driver at once. Only one task program runs at a time; the second
# must wait for the first, not fail, which the midlayer takes for a
# failed step and escalates to a target and then a bus reset: UNIT
# ATTENTION on every disk. A WRITE to a throttled disk holds QEMU's bus
# for about 8 s; sent through sg with a 1 s time-out, it times out and
# its abort waits for the bus. A device reset of the idle disk at target
# 0 asked for meanwhile must wait, then be a BUS DEVICE RESET, with no
# bus reset and no UNIT ATTENTION anywhere. A red-team pass found the
# reset failing at once and escalating to a bus reset. (sym53c8xx gives
# no answer to compare: on this sequence its error handler oopses in
# sym53c8xx_eh_target_reset_handler, the oops docs/differences-from-c.md
# lists.)
. /vm/lib.sh
S=/vm/files/sgio
coldplug
must modprobe sg
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
a=$(scsi_disk "$host" 0) || fail "no disk at target 0"
b=$(scsi_disk "$host" 1) || fail "no disk at target 1"
w=$(scsi_disk "$host" 2) || fail "no disk at target 2"
wsg=/dev/$(ls /sys/bus/scsi/devices/$host:0:2:0/scsi_generic/) || fail "no sg node of target 2"
scsi_take_unit_attentions "$a" "$b" "$w"

step "a device reset of $a while the abort of a WRITE to $w waits for the bus"
# The throttle lets its first request through at once; the next 128 KiB
# waits 8 s. Through sg, SG_IO has no shortest time-out.
dd if=/dev/zero of="$w" bs=128k count=1 oflag=direct 2>/dev/null
dmesg_mark
$S --timeout 1000 write "$wsg" 131072 2a 00 00 00 01 00 00 01 00 00 >/tmp/write.out &
wr=$!
sleep 4
$S reset "$a" device
check_eq "SG_SCSI_RESET device of $a" "$?" 0
wait $wr
dmesg_new | grep -E 'rust_ncr810|reset|abort|timing out' | sed 's/^/  /'
dmesg_has "rust_ncr810 .*device reset of target 0 by SG_SCSI_RESET: BUS DEVICE RESET taken"
dmesg_new | grep -qE 'rust_ncr810 .*(reset by|target reset|failed|timed out)' &&
	fail "the device reset failed or escalated"
case $(cat /tmp/write.out) in
"status 0 host 0 "*) fail "the WRITE did not time out: $(cat /tmp/write.out)" ;;
esac
scsi_no_unit_attention "device reset" "$a" "$b" "$w"
no_kernel_problems
scenario_done
