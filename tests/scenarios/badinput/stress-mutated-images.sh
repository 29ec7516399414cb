# bench: files=$BENCH_DATA/rvfat $BENCH_DATA/images/fat12-basic.img $BENCH_DATA/images/fat16-small.img
# bench: timeout=300
# 1000 images mutated from real ones (bit flips, truncations, splices,
# random slots) through /dev/rust_vfat: only documented error codes, and
# the kernel stays clean (the harness also fails on any Oops/BUG/WARNING).
. /bench/lib.sh
F=/bench/files
must modprobe rust_vfat
before=$(slab_kb)
must $F/rvfat stress 1000 "${STRESS_SEED:-1}" $F/fat12-basic.img $F/fat16-small.img
$F/rvfat list $F/fat12-basic.img | grep -q ' OK 11$' || fail "good image not served after the stress"
dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace' && fail "the kernel complained"
echo "slab: ${before} kB before, $(slab_kb) kB after"
must modprobe -r rust_vfat
exit 0
