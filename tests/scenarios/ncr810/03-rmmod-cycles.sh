# harness: timeout=240
# harness: kernel-args=slab_debug=U;-,Acpi-*
# harness: files=$TEST_DATA/slabsites
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
N=$(reps 16 50)
run_cycles $(reps 2 5) cycle
slab_record /tmp/slab-before
run_cycles $N cycle
slab_record /tmp/slab-after
probes=$(cycles_with 'self-test: SCRIPTS INT 0x810')
removes=$(cycles_with 'remove: chip reset')
echo "$N cycles: $probes probes, $removes removes"
check_eq "probes in $N cycles" "$probes" $N
check_eq "removes in $N cycles" "$removes" $N
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N cycles"
scenario_done
