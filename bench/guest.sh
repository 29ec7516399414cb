# The in-VM half of the benchmark (bench/run.sh boots it with kunit.enable=0
# so the Rust modules' KUnit suites do not run at load). Prints BENCH lines.
. /bench/lib.sh
F=/bench/files
rf=$(modinfo -n rust_fat) rv=$(modinfo -n rust_vfat) cf=$(modinfo -n fat) cv=$(modinfo -n vfat)

step "making the 10,000-entry directory with the kernel's vfat"
img=/tmp/dir10k.img
cp $F/dir10k.img $img
mkdir -p /mnt/c
loop_mount $img /mnt/c utf8
mkdir /mnt/c/big
$F/rvbench mkfiles /mnt/c/big 10000 || fail "mkfiles failed"
loop_umount /mnt/c
must modprobe -r vfat

step "load+unload latency, interleaved (10 warm-up cycles, then 100)"
$F/rvbench modcycle 10 rust $rf $rv -- c $cf $cv >/dev/null || fail "warm-up failed"
$F/rvbench modcycle 100 rust $rf $rv -- c $cf $cv || fail "modcycle failed"

step "core sizes the kernel reports"
must modprobe rust_vfat
must modprobe vfat
for m in rust_fat rust_vfat fat vfat; do
	echo "BENCH core_size.$m $(awk -v m=$m '$1 == m { print $2 }' /proc/modules)"
done

step "calls across the module boundary vs inside the module (5 runs of 10^6)"
for i in 1 2 3 4 5; do $F/rvbench callbench 1000000 | sed "s/^BENCH call\./BENCH call.run$i./"; done

step "listing a directory of 10,000 entries (FAT32)"
for i in 1 2 3 4 5; do $F/rvbench rvlist rust.run$i $img || fail "rust_vfat listing failed"; done
for i in 1 2 3 4 5; do
	echo 3 >/proc/sys/vm/drop_caches
	loop_mount $img /mnt/c ro,utf8
	$F/rvbench readdir c_cold.run$i /mnt/c/big || fail "readdir failed"
	$F/rvbench readdir c_warm.run$i /mnt/c/big || fail "readdir failed"
	loop_umount /mnt/c
done
exit 0
