# harness: timeout=240
# harness: kernel-args=slab_debug=U
# rmmod while bound unbinds cleanly, loading again binds again; 50 cycles
# leave no more live slab objects behind.
. /vm/lib.sh
dev=$(ncr810_devices)
cycle() {
	modprobe rust_ncr810 || fail "modprobe failed"
	[ -e /sys/bus/pci/devices/$dev/driver ] || fail "not bound after load"
	rmmod rust_ncr810 || fail "rmmod failed"
	[ -e /sys/bus/pci/devices/$dev/driver ] && fail "still bound after rmmod"
	return 0
}
N=$(reps 16 50)
run_cycles $(reps 2 5) cycle
slab_record /tmp/slab-before
run_cycles $N cycle
slab_record /tmp/slab-after
probes=$(cycles_with 'self-test: SCRIPTS INT 0x810')
removes=$(cycles_with 'remove: chip reset')
echo "$N cycles: $probes probes, $removes removes"
[ "$probes" = $N ] && [ "$removes" = $N ] || fail "expected $N probes and removes"
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N cycles"
exit 0
