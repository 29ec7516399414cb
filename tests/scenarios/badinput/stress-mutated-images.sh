# harness: files=$TEST_DATA/fatstress $TEST_DATA/images/fat12-basic.img $TEST_DATA/images/fat16-small.img
# harness: timeout=600
# 1000 images mutated from real ones (bit flips, truncations, splices,
# random slots), each mounted with rust_vfat, walked (readdir, stat, every
# file read), unmounted: only documented errors, no mount left behind, no
# stuck module, and the kernel stays clean (the harness also fails on any
# Oops/BUG/WARNING). Then 8 concurrent readers of one mount agree.
. /vm/lib.sh
F=/vm/files
must modprobe rust_vfat
before=$(slab_kb)
must $F/fatstress mutate "$(reps 200 1000)" "${STRESS_SEED:-1}" rust_vfat $F/fat12-basic.img $F/fat16-small.img
grep -q fatstress /proc/mounts && fail "a mount was left behind"
check "rust_vfat still in use after the stress" [ "$(refcount rust_vfat)" = 0 ]
echo "slab: ${before} kB before, $(slab_kb) kB after"
step "concurrent readers of one mount"
mkdir -p /mnt/r
losetup -r /dev/loop0 $F/fat16-small.img
must mount -t rust_vfat /dev/loop0 /mnt/r
must $F/fatstress parallel 8 /mnt/r
must umount /mnt/r
losetup -d /dev/loop0
must modprobe -r rust_vfat
scenario_done
