# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img
# harness: qemu-args=-drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-total=8192 -device scsi-hd,bus=ncr0.0,scsi-id=2,drive=slow -drive if=none,id=slow2,driver=null-co,size=16M,read-zeroes=on,throttling.bps-total=8192 -device scsi-hd,bus=ncr0.0,scsi-id=3,drive=slow2
# harness: files=$TEST_DATA/sgio
# harness: timeout=180
# An abort that fails ends every other command it took, once. The
# midlayer aborts a timed-out command beside normal I/O (its asynchronous
# abort): only that command is the error handler's. A WRITE holds QEMU's
# bus until its data is written, so a WRITE to a throttled disk that
# times out cannot be aborted: the task waits for the bus, gives up after
# 10 s and resets chip and bus. A READ of another throttled disk,
# disconnected meanwhile, is ended by that reset: it must come back then,
# with DID_RESET (normal I/O retries it), not be forgotten until its own
# time-out. A red-team pass found it forgotten: the READ came back after
# its 90 s time-out with DID_TIME_OUT, and the host took no command
# until then.
. /vm/lib.sh
S=/vm/files/sgio
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
w=$(scsi_disk "$host" 2) || fail "no disk at target 2"
r=$(scsi_disk "$host" 3) || fail "no disk at target 3"
scsi_take_unit_attentions "$d0" "$w" "$r"

step "a READ of $r in flight while the abort of a WRITE to $w fails"
t0=$(cat /sys/block/${r#/dev/}/device/iotmo_cnt)
# Each throttle lets its first request through at once; the next waits
# 16 s for each 128 KiB.
dd if="$r" of=/dev/null bs=128k count=1 iflag=direct 2>/dev/null
dd if=/dev/zero of="$w" bs=128k count=1 oflag=direct 2>/dev/null
dmesg_mark
start=$(date +%s)
($S --timeout 90000 read "$r" 131072 28 00 00 00 00 00 00 01 00 00 >/tmp/read.out
	echo $(($(date +%s) - start)) >/tmp/read.secs) &
rd=$!
sleep 1
# 256 KiB: 32 s behind the throttle, longer than SG_IO's shortest time-out
# (7 s) and the 10 s the abort waits for the bus.
$S --timeout 7000 write "$w" 262144 2a 00 00 00 00 00 00 02 00 00 >/tmp/write.out &
wr=$!
wait $rd
wait $wr
dmesg_new | grep -E 'rust_ncr810|reset|abort|timing out' | sed 's/^/  /'
echo "READ of $r after $(cat /tmp/read.secs) s: $(cat /tmp/read.out)"
echo "WRITE to $w: $(cat /tmp/write.out)"
dmesg_has "rust_ncr810 .*task management timed out: chip and bus reset"
dmesg_has "rust_ncr810 .*abort: ABORT failed"
case $(cat /tmp/write.out) in
"status 0 host 0 "*) fail "the WRITE did not time out: $(cat /tmp/write.out)" ;;
esac
check_eq "the READ ended by the abort's bus reset" "$(cat /tmp/read.out)" \
	"status 0 host 8 driver 0 resid 131072"
check "the READ waited $(cat /tmp/read.secs) s, for its own time-out" [ "$(cat /tmp/read.secs)" -lt 60 ]
check_eq "time-outs of $r (iotmo_cnt)" "$(cat /sys/block/${r#/dev/}/device/iotmo_cnt)" "$t0"

step "the disks answer after it"
# The bus reset's UNIT ATTENTION first.
scsi_take_unit_attentions "$d0" "$w" "$r"
check_eq "$d0 after the reset" "$(dd if="$d0" bs=64k iflag=direct 2>/dev/null | sha256sum | cut -c1-64)" \
	"$(scsi_image_sha 0)"
check_eq "TEST UNIT READY of $r" "$($S read "$r" 0 00 00 00 00 00 00)" "status 0 host 0 driver 0 resid 0"
no_kernel_problems
scenario_done
