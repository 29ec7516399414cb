# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img
# harness: kernel-args=slab_debug=U;-,Acpi-*
# harness: files=$TEST_DATA/slabsites $TEST_DATA/samebytes
# harness: timeout=420
# The disk removed from the guest's view and found again by a rescan; a
# rescan of absent targets finds nothing; rmmod refused while the disk is
# open (sd holds the host's module); unbind and bind with reads running;
# then 50 cycles of unbind and bind under a running reader followed by
# rmmod and modprobe leave no more live slab objects and no interrupt
# handler behind, and the disk reads as before.
. /vm/lib.sh
coldplug
pci=$(ncr810_devices)
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
# The disk's bytes, checked once against the image's SHA-256; later
# reads are compared with this copy (samebytes: hashing 16 MiB again costs
# over a second of TCG CPU each time).
dd if="$dev" of=/tmp/disk0 bs=1M iflag=direct 2>/dev/null
check "$dev reads differently from the image" [ "$(sha256sum </tmp/disk0 | cut -c1-64)" = "$(scsi_image_sha 0)" ]
# Usage: reads_as_image DEV
reads_as_image() { dd if="$1" bs=1M iflag=direct 2>/dev/null | /vm/files/samebytes /tmp/disk0; }

step "rescan: absent targets stay absent"
echo "- - -" >/sys/class/scsi_host/host$host/scan
check "a rescan found targets that do not exist" [ "$(ls -d /sys/bus/scsi/devices/"$host":0:*:0 | wc -l)" = 1 ]

step "delete the disk, rescan, and it is back"
echo 1 >/sys/block/${dev#/dev/}/device/delete
check "the deleted disk is still there" [ ! -e /sys/bus/scsi/devices/$host:0:0:0 ]
echo "0 0 0" >/sys/class/scsi_host/host$host/scan
dev=$(scsi_disk "$host" 0) || fail "the rescan did not find the disk"
check "$dev reads differently after the rescan" reads_as_image "$dev"

reader() {
	while dd if="$dev" of=/dev/null bs=64k iflag=direct 2>/dev/null; do :; done
}
step "rmmod while a reader has the disk open: refused, in use"
reader &
r=$!
# The reader's dd runs each close the disk before the next opens it, so an
# rmmod could land between two of them: a second process holds it open
# throughout.
sleep 600 <"$dev" &
holder=$!
sleep 1
must_fail rmmod rust_ncr810
loaded rust_ncr810 || fail "rust_ncr810 went away under a reader"
echo "refcount while open: $(refcount rust_ncr810)"
kill $holder
wait $holder 2>/dev/null || true

step "unbind with the reader running, then bind again"
dmesg_mark
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
wait $r
echo "the reader stopped (the disk went away under it)"
check "the disk outlived the unbind" [ ! -e /sys/bus/scsi/devices/$host:0:0:0 ]
grep -q rust_ncr810 /proc/interrupts && fail "the interrupt handler outlived the unbind"
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/bind
host=$(ncr810_scsi_host) || fail "no SCSI host after bind"
dev=$(scsi_disk "$host" 0) || fail "no disk after bind"
check "$dev reads differently after bind" reads_as_image "$dev"

N=$(reps 6 50)
step "$N cycles: unbind and bind with a reader running, then rmmod and modprobe"
# The reader holds the disk open, so rmmod is refused while it runs
# (above); unbinding takes the disk away under it, which ends it.
cycle() {
	h=$(ncr810_scsi_host) || fail "no SCSI host"
	d=$(scsi_disk "$h" 0) || fail "no disk"
	read -r _r0 _ </sys/block/${d#/dev/}/stat
	(while dd if="$d" of=/dev/null bs=64k iflag=direct 2>/dev/null; do :; done) &
	_r=$!
	# Unbind once the reader's I/O runs: the disk has completed two of
	# its reads.
	while read -r _n _ </sys/block/${d#/dev/}/stat && [ "$_n" -lt $((_r0 + 2)) ]; do usleep 20000; done
	echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
	wait $_r
	! grep -q rust_ncr810 /proc/interrupts || fail "interrupt handler left after unbind"
	echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/bind
	h=$(ncr810_scsi_host) || fail "no SCSI host after bind"
	d=$(scsi_disk "$h" 0) || fail "no disk after bind"
	dd if="$d" of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null || fail "reading $d failed"
	rmmod rust_ncr810 || fail "rmmod failed"
	! grep -q rust_ncr810 /proc/interrupts || fail "interrupt handler left after rmmod"
	modprobe rust_ncr810 || fail "modprobe failed"
}
run_cycles $(reps 2 3) cycle
slab_record /tmp/slab-before
irqs_before=$(grep -c . /proc/interrupts)
run_cycles $N cycle
slab_record /tmp/slab-after
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N cycles"
check "/proc/interrupts has other lines after the cycles" [ "$(grep -c . /proc/interrupts)" = "$irqs_before" ]
h=$(ncr810_scsi_host) || fail "no SCSI host after the cycles"
d=$(scsi_disk "$h" 0) || fail "no disk after the cycles"
check "$d reads differently after the cycles" reads_as_image "$d"
scenario_done
