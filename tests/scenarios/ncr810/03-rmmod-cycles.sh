# bench: timeout=240
# rmmod while bound unbinds cleanly, loading again binds again; 50 cycles
# leave slab usage where it was.
. /bench/lib.sh
dev=$(ncr810_devices)
cycle() {
	modprobe rust_ncr810 || fail "modprobe failed"
	[ -e /sys/bus/pci/devices/$dev/driver ] || fail "not bound after load"
	rmmod rust_ncr810 || fail "rmmod failed"
	[ -e /sys/bus/pci/devices/$dev/driver ] && fail "still bound after rmmod"
	return 0
}
for i in 1 2 3 4 5; do cycle; done
echo 3 >/proc/sys/vm/drop_caches
before=$(slab_kb)
dmesg -c >/dev/null
i=0 probes=0 removes=0
while [ $i -lt 50 ]; do
	cycle
	dmesg -c >/tmp/c.log
	grep -q 'self-test: SCRIPTS INT 0x810' /tmp/c.log && probes=$((probes + 1))
	grep -q 'remove: chip reset' /tmp/c.log && removes=$((removes + 1))
	i=$((i + 1))
done
echo 3 >/proc/sys/vm/drop_caches
after=$(slab_kb)
echo "50 cycles: $probes probes, $removes removes; slab ${before} kB -> ${after} kB"
[ $probes = 50 ] && [ $removes = 50 ] || fail "expected 50 probes and removes"
if slab_is_measurable; then
	[ $((after - before)) -le 64 ] || fail "slab grew by $((after - before)) kB"
else
	echo "debug kernel: slab not compared (KASAN quarantine, kmemleak records); kmemleak.sh checks leaks"
fi
exit 0
