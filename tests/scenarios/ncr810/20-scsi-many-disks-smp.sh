# harness: scsi-disks=$TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img $TEST_DATA/scsi/blank-64m.img + $TEST_DATA/scsi/blank-16m.img
# harness: qemu-args=-smp 2 -drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-read=262144 -device scsi-hd,bus=ncr1.0,scsi-id=1,drive=slow
# harness: memory=1024
# harness: files=$TEST_DATA/rvbench $TEST_DATA/samebytes
# harness: scsi-image-check
# harness: timeout=600
# Tagged queueing with many disks, two controllers, two CPUs, everything
# at once. Each disk takes simple queue tags at queue depth 16 (sysfs
# queue_depth, writable: one disk runs at 4). Seven disks
# on the first NCR 53C810 each get four writers of their own regions, 4 MiB
# apart (two O_DIRECT, two buffered with fsync) and two O_DIRECT readers
# of a region nobody writes; the one disk on the second controller gets
# random 4 KiB O_DIRECT reads and writes from 32 threads (rvbench
# randrw, whose writes depend only on their offset: the same run on a
# tmpfs file gives the expected image), and a null disk beside it, whose
# reads QEMU throttles to 256 KiB/s, gets six 4 KiB O_DIRECT readers for
# as long as the rest runs. The images are in the host's page cache, so
# their commands end within microseconds and a sampler may never see two
# at one disk (on Debian's kernel the seven disks' streams once ended
# within 100 samples, the most seen 2); the throttled reads wait at their
# target, so the driver holds several at once on that one LUN: tags in
# use, judged from its device_busy. That disk is 16 MiB: the whole
# of it is hashed for the host's check, and SHA-256 under TCG costs about
# 80 ms of CPU per MiB. Every written region is read back
# in the guest, and the harness checks each one, and the whole second
# disk, in the image files on the host after power-off. make check writes
# 2 MiB per region and runs 2,000 random operations; make soak 4 MiB and
# 8,000 (the queues are as full either way: 43 streams at once).
. /vm/lib.sh
F=/vm/files
coldplug
set -- $(ncr810_devices)
[ $# = 2 ] || fail "expected two NCR 53C810s, found $#"
h0=$(ncr810_scsi_host $1) || fail "no SCSI host on the first controller"
h1=$(ncr810_scsi_host $2) || fail "no SCSI host on the second controller"
disks=""
for t in 0 1 2 3 4 5 6; do
	d=$(scsi_disk "$h0" $t) || fail "no disk at target $t of host $h0"
	disks="$disks $d"
done
rw=$(scsi_disk "$h1" 0) || fail "no disk at target 0 of host $h1"
slow=$(scsi_disk "$h1" 1) || fail "no disk at target 1 of host $h1"
echo "first controller: $disks; second: $rw and the throttled $slow"
two_cpus
for d in $disks $rw $slow; do
	q=/sys/block/${d#/dev/}/device
	check_eq "$d queue depth" "$(cat $q/queue_depth)" 16
	check_eq "$d queue type" "$(cat $q/queue_type)" simple
done
# The midlayer's change_queue_depth: up to can_queue, not beyond.
q=/sys/block/${rw#/dev/}/device
echo 32 >$q/queue_depth 2>/dev/null && fail "queue depth 32 taken beyond can_queue 16"
echo 4 >$q/queue_depth || fail "queue depth 4 refused"
check_eq "$rw queue depth after writing 4" "$(cat $q/queue_depth)" 4

MiB=1048576
R=$(reps 2 4)
ops=$(reps 2000 8000)
for k in 0 1 2 3; do dd if=/dev/urandom of=/tmp/pat$k bs=1M count=$R 2>/dev/null; done
check_eq "pattern bytes" "$(cat /tmp/pat0 /tmp/pat1 /tmp/pat2 /tmp/pat3 | wc -c)" $((4 * R * MiB))
mkdir -p /tmp/ok

step "4 writers and 2 readers on each of 7 disks, 32-deep random I/O on $rw"
# The throttled disk's readers, stopped once the rest is done.
slowpids=""
for k in 0 1 2 3 4 5; do
	(while dd if="$slow" of=/dev/null bs=4k iflag=direct 2>/dev/null; do :; done) &
	slowpids="$slowpids $!"
done
pids=""
t=0
for d in $disks; do
	for k in 0 1 2 3; do
		if [ $k -lt 2 ]; then
			dd if=/tmp/pat$k of="$d" bs=64k seek=$((k * 64)) oflag=direct conv=notrunc 2>/tmp/err.$t.$k &&
				touch /tmp/ok/w$t.$k &
		else
			dd if=/tmp/pat$k of="$d" bs=16k seek=$((k * 256)) conv=notrunc,fsync 2>/tmp/err.$t.$k &&
				touch /tmp/ok/w$t.$k &
		fi
		pids="$pids $!"
	done
	for r in 0 1; do
		{ [ "$(dd if="$d" bs=64k skip=$((512 + r * 64)) count=$((R * 16)) iflag=direct 2>/dev/null | tr -d '\0' | wc -c)" = 0 ] &&
			touch /tmp/ok/r$t.$r; } &
		pids="$pids $!"
	done
	t=$((t + 1))
done
streams=$pids
$F/rvbench randrw smp $rw $ops 7 32 direct >/tmp/randrw.out 2>&1 && touch /tmp/ok/randrw &
pids="$pids $!"
# The most commands in flight on one disk and on $rw, sampled for as long
# as the seven disks' streams run (at least 100 times): a fixed number of
# samples could end before the streams overlap most.
most=0 mostrw=0 mostslow=0 samples=0
while :; do
	for d in $disks; do
		read -r r w </sys/block/${d#/dev/}/inflight
		[ $((r + w)) -gt $most ] && most=$((r + w))
	done
	# The commands the driver holds for $rw (device_busy): the block
	# layer's inflight also counts a request started and handed back
	# when the host was busy, which waits for a slot it has not got
	# (once 5 at depth 4 in a soak run).
	read -r b </sys/block/${rw#/dev/}/device/device_busy
	[ "$b" -gt $mostrw ] && mostrw=$b
	read -r b </sys/block/${slow#/dev/}/device/device_busy
	[ "$b" -gt $mostslow ] && mostslow=$b
	samples=$((samples + 1))
	[ $samples -lt 100 ] && continue
	# Past the first hundred, a sample every 10 ms: a loop that never
	# sleeps holds one of the two CPUs the streams need.
	usleep 10000
	running=0
	for p in $streams; do kill -0 $p 2>/dev/null && running=1 && break; done
	[ $running = 1 ] || break
done
# The expected image of $rw, from the same run on a file of its size.
truncate -s $(blockdev --getsize64 "$rw") /tmp/expect.img
$F/rvbench randrw expect /tmp/expect.img $ops 7 32 >/dev/null || fail "rvbench on tmpfs failed"
for p in $pids; do wait $p; done
kill $slowpids 2>/dev/null
for p in $slowpids; do wait $p 2>/dev/null; done
cat /tmp/randrw.out
echo "most commands in flight: $most on one of the seven disks (not judged), $mostrw on $rw (depth 4), $mostslow on the throttled $slow, in $samples samples"
check "the throttled disk never had more than two commands in the driver ($mostslow): tags unused" [ "$mostslow" -gt 2 ]
check "$rw had more than its queue depth in flight ($mostrw)" [ "$mostrw" -le 4 ]
check_eq "writers, readers and the random run that finished right" "$(ls /tmp/ok | wc -l)" $((7 * 6 + 1))

step "every region reads back right; the host checks the images"
# The guest compares what it reads with the bytes it wrote (samebytes: a
# SHA-256 of every region would cost seconds of TCG CPU); the host gets
# one SHA-256 per pattern for its check of the images.
for k in 0 1 2 3; do sha256sum </tmp/pat$k | cut -c1-64 >/tmp/pat$k.sha; done
# Usage: region_holds DISK K: region K of DISK holds pattern K.
region_holds() {
	dd if="$1" bs=64k skip=$(($2 * 64)) count=$((R * 16)) iflag=direct 2>/dev/null | $F/samebytes /tmp/pat$2
}
t=0
for d in $disks; do
	for k in 0 1 2 3; do
		check "target $t region $k reads back wrong" region_holds "$d" $k
		scsi_image_expect 0 $t $((k * 4 * MiB)) $((R * MiB)) "$(cat /tmp/pat$k.sha)"
	done
	t=$((t + 1))
done
check "the 32-deep random run left $rw differently from the same run on tmpfs" \
	sh -c "dd if=$rw bs=1M iflag=direct 2>/dev/null | $F/samebytes /tmp/expect.img"
scsi_image_expect 1 0 0 $(blockdev --getsize64 "$rw") "$(sha256sum </tmp/expect.img | cut -c1-64)"
no_kernel_problems
scenario_done
