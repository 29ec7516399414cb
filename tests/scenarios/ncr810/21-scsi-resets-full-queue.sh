# harness: scsi-disks=$TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-16m.img
# harness: qemu-args=-drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-total=6144 -device scsi-hd,bus=ncr0.0,scsi-id=3,drive=slow
# harness: memory=1024
# harness: files=$TEST_DATA/sgio $TEST_DATA/rvbench
# harness: scsi-image-check
# harness: timeout=600
# The error-handling ladder under a full tagged queue. Three disks are
# kept busy all along: on targets 0 and 1 two O_DIRECT writers of their
# own regions and three O_DIRECT readers of a region nobody writes (reads
# disconnect in QEMU's model, so they wait at the target, tagged); on
# target 2 (16 MiB) 16-deep random 4 KiB reads and writes (rvbench randrw, whose
# writes depend only on their offset, so rerunning it leaves the same
# image). The 16 slots stay full. Meanwhile: an abort (a READ of the
# throttled disk at target 3, 6 KiB/s, waits 21 s behind a 128 KiB read and
# times out at 7 s; the margin leaves the error handler time to drain the
# full queue before it aborts), a device reset of target 1, a bus
# reset and a host reset (SG_SCSI_RESET). Each reset says how many
# commands it ended; each of them must be completed exactly once: a lost
# one times out (iotmo_cnt) or hangs its stream, one ended twice would
# fail or corrupt a stream's I/O. Every stream must end without an error,
# the readers must read zeros throughout, and the harness checks every
# written region in the image files on the host after power-off.
. /vm/lib.sh
S=/vm/files/sgio
F=/vm/files
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
d1=$(scsi_disk "$host" 1) || fail "no disk at target 1"
d2=$(scsi_disk "$host" 2) || fail "no disk at target 2"
slow=$(scsi_disk "$host" 3) || fail "no disk at target 3"
for d in $d0 $d1 $d2; do
	check_eq "$d queue type" "$(cat /sys/block/${d#/dev/}/device/queue_type)" simple
done
MiB=1048576
R=$(reps 2 4)
ops=$(reps 2000 6000)
for k in 0 1; do dd if=/dev/urandom of=/tmp/pat$k bs=1M count=$R 2>/dev/null; done
zeros=$(head -c $((R * MiB)) /dev/zero | sha256sum | cut -c1-64)
iotmo() { cat /sys/block/${1#/dev/}/device/iotmo_cnt; }
t0="$(iotmo $d0) $(iotmo $d1) $(iotmo $d2)"

step "fill the queue: 5 streams on each of $d0 and $d1, 16-deep random I/O on $d2"
rm -rf /tmp/stop /tmp/bad /tmp/passes
mkdir -p /tmp/passes
# Each stream runs until /tmp/stop, counts its passes, and logs a failed
# or wrong pass in /tmp/bad.
writer() { # DISK K
	n=0
	while [ ! -e /tmp/stop ]; do
		dd if=/tmp/pat$2 of="$1" bs=64k seek=$(($2 * 256)) oflag=direct conv=notrunc 2>/tmp/err.$$ ||
			{ echo "writer $1 $2 pass $n: $(cat /tmp/err.$$)" >>/tmp/bad; break; }
		n=$((n + 1))
	done
	echo $n >/tmp/passes/w${1#/dev/}$2
}
reader() { # DISK K
	n=0
	while [ ! -e /tmp/stop ]; do
		s=$(dd if="$1" bs=64k skip=$((768 + $2 * 16)) count=$((R * 16)) iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		[ "$s" = "$zeros" ] || { echo "reader $1 $2 pass $n: $s" >>/tmp/bad; break; }
		n=$((n + 1))
	done
	echo $n >/tmp/passes/r${1#/dev/}$2
}
random() {
	n=0
	while [ ! -e /tmp/stop ]; do
		$F/rvbench randrw full $d2 $ops 5 16 direct >/tmp/randrw.out 2>&1 ||
			{ echo "randrw pass $n: $(cat /tmp/randrw.out)" >>/tmp/bad; break; }
		n=$((n + 1))
	done
	echo $n >/tmp/passes/random
}
pids=""
for d in $d0 $d1; do
	for k in 0 1; do writer $d $k & pids="$pids $!"; done
	for k in 0 1 2; do reader $d $k & pids="$pids $!"; done
done
random &
pids="$pids $!"

# The commands in flight on the three disks together (their
# /sys/block/*/inflight), sampled once the streams run: printed, and the
# most must exceed what one command per disk would give.
inflight() {
	_s=0
	for _d in $d0 $d1 $d2; do
		read -r _r _w </sys/block/${_d#/dev/}/inflight
		_s=$((_s + _r + _w))
	done
	echo $_s
}
# Sampled until more than 3 are seen, for up to 30 s: on the debug
# kernel (one CPU, KASAN) the streams' commands overlap less often, and
# 200 back-to-back samples could all miss it.
sleep 1
most=0
i=0
while [ $most -le 3 ] && [ $i -lt 1500 ]; do
	n=$(inflight)
	[ "$n" -gt $most ] && most=$n
	i=$((i + 1))
	usleep 20000
done
echo "most commands in flight on the three disks: $most"
check "the three disks never had more than 3 commands in flight ($most)" [ "$most" -gt 3 ]

# Prints the number of commands the reset logged as ended (the driver's
# "N command(s) ended").
ended() { dmesg_new | sed -n 's/.*rust_ncr810 .*[:,] \([0-9]*\) command(s) ended$/\1/p' | tail -1; }

step "abort: a READ of $slow times out while the queue is full"
echo "in flight before the abort: $(inflight)"
scsi_abort_timed_out_read "$slow"
scsi_no_unit_attention "abort" "$d0" "$d1" "$d2"

for kind in device bus host; do
	step "SG_SCSI_RESET $kind of $d1 with the queue full"
	# Wait for a full queue (up to 5 s) before the reset.
	for _ in $(seq 50); do [ "$(inflight)" -gt 3 ] && break; usleep 100000; done
	n=$(inflight)
	dmesg_mark
	$S reset "$d1" $kind || fail "SG_SCSI_RESET $kind failed"
	dmesg_new | grep -E 'rust_ncr810' | sed 's/^/  /'
	e=$(ended)
	echo "$kind reset: $n commands in flight on the three disks before, $e ended by the reset"
	check "the $kind reset did not log how many commands it ended" [ -n "$e" ]
	dmesg_new | grep -qE 'rust_ncr810 .*(timed out|failed)' && fail "the $kind reset failed"
	[ $kind = device ] && scsi_no_unit_attention "device reset of target 1" "$d0" "$d2"
	[ -e /tmp/bad ] && fail "a stream failed across the $kind reset: $(cat /tmp/bad)"
	sleep 1
done

step "stop the streams: each ended right, nothing timed out"
touch /tmp/stop
for p in $pids; do wait $p; done
[ -e /tmp/bad ] && fail "a stream failed: $(cat /tmp/bad)"
echo "passes: $(cd /tmp/passes && for f in *; do printf '%s=%s ' $f "$(cat $f)"; done)"
for f in /tmp/passes/*; do check "stream $(basename $f) never completed a pass" [ "$(cat $f)" -gt 0 ]; done
check_eq "time-outs on $d0 $d1 $d2 (iotmo_cnt)" "$(iotmo $d0) $(iotmo $d1) $(iotmo $d2)" "$t0"

step "every written region reads back right; the host checks the images"
t=0
for d in $d0 $d1; do
	for k in 0 1; do
		want=$(sha256sum </tmp/pat$k | cut -c1-64)
		got=$(dd if="$d" bs=64k skip=$((k * 256)) count=$((R * 16)) iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
		check "target $t region $k reads back wrong" [ "$got" = "$want" ]
		scsi_image_expect 0 $t $((k * 16 * MiB)) $((R * MiB)) "$want"
	done
	scsi_image_expect 0 $t $((48 * MiB)) $((3 * R * MiB)) \
		"$(head -c $((3 * R * MiB)) /dev/zero | sha256sum | cut -c1-64)"
	t=$((t + 1))
done
truncate -s $(blockdev --getsize64 "$d2") /tmp/expect.img
$F/rvbench randrw expect /tmp/expect.img $ops 5 16 >/dev/null || fail "rvbench on tmpfs failed"
want=$(sha256sum </tmp/expect.img | cut -c1-64)
got=$(dd if="$d2" bs=1M iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
check "the random runs left $d2 differently from the same run on tmpfs" [ "$got" = "$want" ]
scsi_image_expect 0 2 0 $(blockdev --getsize64 "$d2") "$want"
no_kernel_problems
scenario_done
