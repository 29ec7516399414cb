# bench: timeout=240
# Each exit path says what it released; 100 load/unload cycles of the pair
# leave slab usage where it was.
. /bench/lib.sh
cycle() { modprobe rust_vfat && modprobe -r rust_vfat || fail "cycle failed"; }
for i in 1 2 3 4 5 6 7 8 9 10; do cycle; done
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
before=$(slab_kb)
dmesg -c >/dev/null
i=0 n=0 m=0
while [ $i -lt 100 ]; do
	cycle
	# Read and clear the log each cycle: 100 cycles of KUnit output would
	# overflow the ring buffer.
	dmesg -c >/tmp/cycle.log
	grep -q 'rust_vfat: unloading: /dev/rust_vfat deregistered' /tmp/cycle.log && n=$((n + 1))
	grep -q 'rust_fat: unloading: no users left' /tmp/cycle.log && m=$((m + 1))
	i=$((i + 1))
done
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
after=$(slab_kb)
echo "slab before: ${before} kB, after 100 cycles: ${after} kB; unload messages: $n rust_vfat, $m rust_fat"
[ "$n" = 100 ] && [ "$m" = 100 ] || fail "expected 100 unload messages from each module"
# Allow noise from the kernel's own caches, not growth per cycle.
if slab_is_measurable; then
	[ $((after - before)) -le 64 ] || fail "slab grew by $((after - before)) kB over 100 cycles"
else
	echo "debug kernel: slab not compared (KASAN quarantine, kmemleak records); kmemleak.sh checks leaks"
fi
exit 0
