# bench: timeout=240
# Each exit path says what it released; 100 load/unload cycles of the pair
# leave slab usage where it was.
. /bench/lib.sh
cycle() { modprobe rust_vfat && modprobe -r rust_vfat; }
run_cycles 10 cycle
before=$(slab_settled_kb)
run_cycles 100 cycle
after=$(slab_settled_kb)
n=$(cycles_with 'rust_vfat: unloading: /dev/rust_vfat deregistered')
m=$(cycles_with 'rust_fat: unloading: no users left')
echo "unload messages in 100 cycles: $n rust_vfat, $m rust_fat"
[ "$n" = 100 ] && [ "$m" = 100 ] || fail "expected 100 unload messages from each module"
check_slab_growth "$before" "$after" "100 cycles"
exit 0
