# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img $TEST_DATA/scsi/random-16m.img $TEST_DATA/scsi/blank-64m.img
# harness: qemu-args=-drive if=none,id=slow,driver=null-co,size=16M,read-zeroes=on,throttling.bps-read=262144 -device scsi-hd,bus=ncr0.0,scsi-id=3,drive=slow
# harness: kernel-args=slab_debug=U;-,Acpi-*
# harness: files=$TEST_DATA/slabsites $TEST_DATA/rvbench
# harness: timeout=900
# Unbind and rmmod with a full tagged queue, and load cycles with tags on.
# The load: two O_DIRECT readers on each of the disks at targets 0 and 1
# (reads disconnect in QEMU's model: they wait at their targets, tagged),
# 16-deep random 4 KiB reads and writes on the disk at target 2
# (rvbench randrw), and six 4 KiB O_DIRECT readers of the disk at target
# 3, which QEMU throttles to 256 KiB/s of reads: more commands than the 16
# slots. The disk image is in the host's page cache, so the other disks'
# commands end within microseconds; the throttled reads stay in flight, so
# the queue is full at any moment the unbind comes. With the queue full,
# rmmod is refused (sd holds the module while a disk is open) and the
# load goes on; unbind takes the disks away under it: every stream ends
# (its I/O fails once its disk is gone), none hangs, the interrupt handler
# is gone, and after bind the disks read as their images. Then N cycles
# (make check 6, make soak 50; two or three more before, to warm up) of modprobe, the load until the queue is
# full, unbind under it, bind, a read, the load stopped, rmmod: no
# allocation site holds more live slab objects than before and
# /proc/interrupts has no line more or less.
. /vm/lib.sh
F=/vm/files
coldplug
pci=$(ncr810_devices)
sha0=$(scsi_image_sha 0)
sha1=$(scsi_image_sha 1)

# Prints the disks at targets 0 to 3 of rust_ncr810's host.
disks() {
	_h=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
	for _t in 0 1 2 3; do scsi_disk "$_h" $_t || fail "no disk at target $_t"; done
}
# Starts the load on disks $1 to $4; their pids in $LOAD.
load() {
	LOAD=""
	for _d in $1 $2; do
		for _k in 0 1; do
			(while dd if="$_d" of=/dev/null bs=64k iflag=direct 2>/dev/null; do :; done) &
			LOAD="$LOAD $!"
		done
	done
	(while $F/rvbench randrw load "$3" 4000 3 16 direct >/dev/null 2>&1; do :; done) &
	LOAD="$LOAD $!"
	for _k in 1 2 3 4 5 6; do
		(while dd if="$4" of=/dev/null bs=4k iflag=direct 2>/dev/null; do :; done) &
		LOAD="$LOAD $!"
	done
}
# Commands in flight on disks $@ (their /sys/block/*/inflight).
inflight() {
	_s=0
	for _d in "$@"; do
		read -r _r _w </sys/block/${_d#/dev/}/inflight 2>/dev/null || continue
		_s=$((_s + _r + _w))
	done
	echo $_s
}
# Waits up to 10 s until more than 3 commands are in flight on disks $@;
# prints the count seen.
wait_full() {
	for _ in $(seq 100); do
		_n=$(inflight "$@")
		[ "$_n" -gt 3 ] && break
		usleep 100000
	done
	echo "$_n"
}

set -- $(disks)
step "rmmod with the queue full: refused, the load goes on"
load "$@"
n=$(wait_full "$@")
echo "commands in flight: $n"
check "the queue never filled ($n in flight)" [ "$n" -gt 3 ]
must_fail rmmod rust_ncr810
loaded rust_ncr810 || fail "rust_ncr810 went away under a full queue"
for p in $LOAD; do kill -0 $p 2>/dev/null || fail "a stream ended after the refused rmmod"; done

step "unbind with the queue full"
n=$(wait_full "$@")
check "the queue was not full before the unbind ($n in flight)" [ "$n" -gt 3 ]
dmesg_mark
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
for p in $LOAD; do wait $p 2>/dev/null || true; done
echo "unbound with $n commands in flight; every stream ended"
! grep -q rust_ncr810 /proc/interrupts || fail "the interrupt handler outlived the unbind"
check "a disk outlived the unbind" [ -z "$(ls /sys/bus/scsi/devices/ | grep -vE '^(host|target)')" ]
dmesg_has "rust_ncr810 .*remove: chip reset"
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/bind
set -- $(disks)
check "$1 reads differently after bind" [ "$(sha256sum <"$1" | cut -c1-64)" = "$sha0" ]
check "$2 reads differently after bind" [ "$(sha256sum <"$2" | cut -c1-64)" = "$sha1" ]
rmmod rust_ncr810 || fail "rmmod after the load failed"
! grep -q rust_ncr810 /proc/interrupts || fail "the interrupt handler outlived rmmod"

N=$(reps 6 50)
full=0
cycle() {
	modprobe rust_ncr810 || fail "modprobe failed"
	set -- $(disks)
	load "$@"
	_n=$(wait_full "$@")
	[ "$_n" -gt 3 ] && full=$((full + 1))
	echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
	for _p in $LOAD; do wait $_p 2>/dev/null || true; done
	! grep -q rust_ncr810 /proc/interrupts || fail "interrupt handler left after unbind"
	echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/bind
	set -- $(disks)
	dd if="$1" of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null || fail "reading $1 after bind failed"
	rmmod rust_ncr810 || fail "rmmod failed"
	! grep -q rust_ncr810 /proc/interrupts || fail "interrupt handler left after rmmod"
}
step "$N cycles: modprobe, the queue full, unbind under it, bind, rmmod"
run_cycles $(reps 2 3) cycle
full=0
slab_record /tmp/slab-before
irqs_before=$(grep -c . /proc/interrupts)
run_cycles $N cycle
slab_record /tmp/slab-after
echo "cycles with more than 3 commands in flight at the unbind: $full of $N"
check "the queue was full in fewer than half of the cycles ($full of $N)" [ $((full * 2)) -ge $N ]
check_eq "probes in $N cycles" "$(cycles_with 'rust_ncr810 .*self-test: SCRIPTS INT 0x810')" $N
check_eq "removes in $N cycles" "$(cycles_with 'rust_ncr810 .*remove: chip reset')" $N
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N cycles"
check "/proc/interrupts has other lines after the cycles" [ "$(grep -c . /proc/interrupts)" = "$irqs_before" ]
modprobe rust_ncr810 || fail "modprobe after the cycles failed"
set -- $(disks)
check "$1 reads differently after the cycles" [ "$(sha256sum <"$1" | cut -c1-64)" = "$sha0" ]
check "$2 reads differently after the cycles" [ "$(sha256sum <"$2" | cut -c1-64)" = "$sha1" ]
scenario_done
