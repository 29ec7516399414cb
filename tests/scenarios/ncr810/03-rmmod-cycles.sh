# harness: timeout=240
# harness: kernel-args=slab_debug=U
# rmmod while bound unbinds cleanly, loading again binds again; 50 cycles
# leave no more live slab objects behind.
. /vm/lib.sh
dev=$(ncr810_devices)
cycle() {
	modprobe rust_ncr810 || fail "modprobe failed"
	check "not bound after load" [ -e /sys/bus/pci/devices/$dev/driver ]
	rmmod rust_ncr810 || fail "rmmod failed"
	check "still bound after rmmod" [ ! -e /sys/bus/pci/devices/$dev/driver ]
	return 0
}
run_cycles 5 cycle
slab_record /tmp/slab-before
run_cycles 50 cycle
slab_record /tmp/slab-after
probes=$(cycles_with 'self-test: SCRIPTS INT 0x810')
removes=$(cycles_with 'remove: chip reset')
echo "50 cycles: $probes probes, $removes removes"
[ "$probes" = 50 ] && [ "$removes" = 50 ] || fail "expected 50 probes and removes"
check_slab_sites /tmp/slab-before /tmp/slab-after 50 "50 cycles"
scenario_done
