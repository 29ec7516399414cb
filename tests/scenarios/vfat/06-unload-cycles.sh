# harness: timeout=300
# harness: files=$TEST_DATA/images/fat16-small.img $TEST_DATA/slabsites
# harness: kernel-args=slab_debug=U;-,Acpi-*
# Each exit path says what it released; 100 cycles of load, mount, read
# every file, unmount and unload leave no more live slab objects behind.
. /vm/lib.sh
mkdir -p /mnt/r
losetup -r /dev/loop0 /vm/files/fat16-small.img || fail "losetup failed"
cycle() {
	mount -t rust_vfat /dev/loop0 /mnt/r &&
		find /mnt/r -type f -exec cat {} + >/dev/null &&
		umount /mnt/r && modprobe -r rust_vfat
}
N=$(reps 20 100)
run_cycles $(reps 3 10) cycle
slab_record /tmp/slab-before
run_cycles $N cycle
slab_record /tmp/slab-after
n=$(cycles_with 'rust_vfat: unloading: file system rust_vfat unregistered')
m=$(cycles_with 'rust_fat: unloading: no namespace layer left, inode cache destroyed')
echo "unload messages in $N cycles: $n rust_vfat, $m rust_fat"
[ "$n" = $N ] && [ "$m" = $N ] || fail "expected $N unload messages from each module"
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N cycles"
losetup -d /dev/loop0
scenario_done
