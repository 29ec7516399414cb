# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img $TEST_DATA/scsi/blank-64m.img
# harness: qemu-args=-drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-total=262144 -device scsi-hd,bus=ncr0.0,scsi-id=2,drive=slow
# harness: files=$TEST_DATA/sgio
# harness: timeout=180
# What any user who may open a disk can send, and a reset asked for by
# SG_SCSI_RESET while I/O runs.
# - Data overrun: an INQUIRY for 255 bytes into a 7-byte buffer, and a
#   READ(10) of 8 sectors into 512 bytes, sent by uid 1000: the driver
#   drains what the buffer has no room for and fails the command with
#   DID_ERROR (host 7), as sym53c8xx does, without resetting the bus: the
#   other targets get no UNIT ATTENTION ("Power-on or device reset").
# - SG_SCSI_RESET (bus, then host) while a read runs on a throttled disk
#   (256 KiB/s: a 256 KiB command takes a second): the command in flight
#   is completed with DID_RESET and retried, not left to time out (the
#   disk's iotmo_cnt stays 0), and reads back right; the targets were
#   reset (the UNIT ATTENTION they report, "Power-on or device reset").
. /vm/lib.sh
S=/vm/files/sgio
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
d1=$(scsi_disk "$host" 1) || fail "no disk at target 1"
slow=$(scsi_disk "$host" 2) || fail "no disk at target 2"
chmod o+r "$d0"

step "overruns sent by uid 1000 to $d0"
dmesg_mark
for i in 1 2 3 4 5; do
	r=$($S --as 1000 read "$d0" 7 12 00 00 00 ff 00) || fail "SG_IO INQUIRY failed"
	echo "INQUIRY 255 into 7 bytes: $r"
	case $r in "status 0 host 7 "*) ;; *) fail "the overrunning INQUIRY did not fail with DID_ERROR: $r" ;; esac
	r=$($S --as 1000 read "$d0" 512 28 00 00 00 00 00 00 00 08 00) || fail "SG_IO READ(10) failed"
	echo "READ(10) of 8 sectors into 512 bytes: $r"
	case $r in "status 0 host 7 "*) ;; *) fail "the overrunning READ(10) did not fail with DID_ERROR: $r" ;; esac
done
r=$($S --as 1000 read "$d0" 36 12 00 00 00 24 00) || fail "SG_IO INQUIRY failed"
check "an INQUIRY that fits failed after the overruns: $r" [ "$r" = "status 0 host 0 driver 0 resid 0" ]
dmesg_new | grep -E 'rust_ncr810|device reset|Power-on' | sed 's/^/  /'
dmesg_new | grep -q 'reset' && fail "an overrun reset the chip or the bus"
check "$d0 reads wrong after the overruns" [ "$(sha256sum <"$d0" | cut -c1-64)" = "$(scsi_image_sha 0)" ]
# A target that wants more data out than the command has is sent ABORT,
# without a reset either: 18-scsi-short-write-no-reset.sh.

for kind in bus host; do
	step "SG_SCSI_RESET $kind while a read of $slow is in flight"
	t0=$(cat /sys/block/${slow#/dev/}/device/iotmo_cnt)
	dd if="$slow" of=/tmp/slow.out bs=256k count=2 iflag=direct 2>/tmp/dd.err &
	reader=$!
	sleep 0.3
	dmesg_mark
	$S reset "$d1" $kind || fail "SG_SCSI_RESET $kind failed"
	wait $reader || fail "the read in flight failed: $(cat /tmp/dd.err)"
	dmesg_new | grep -E 'rust_ncr810|reset|timing out|abort' | sed 's/^/  /'
	dmesg_has "rust_ncr810 .*reset by SG_SCSI_RESET"
	# The reset reached the targets: each has a UNIT ATTENTION (06/29/00)
	# for its next command, which sd logs for the read retried on $slow.
	# A handler that only logged its line would leave none.
	dmesg_has "sd $host:0:[0-9]+:0: Power-on or device reset occurred"
	t1=$(cat /sys/block/${slow#/dev/}/device/iotmo_cnt)
	check "the command in flight timed out (iotmo_cnt $t0 -> $t1): the reset lost it" [ "$t1" = "$t0" ]
	[ "$(tr -d '\0' </tmp/slow.out | wc -c)" = 0 ] && [ "$(stat -c %s /tmp/slow.out)" = 524288 ] ||
		fail "the read in flight returned wrong data"
done
no_kernel_problems
scenario_done
