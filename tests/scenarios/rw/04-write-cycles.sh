# harness: scsi-disks=$TEST_DATA/rw/fat16.img
# harness: files=$TEST_DATA/rw/pattern
# harness: kernel-args=slab_debug=U;-,Acpi-*
# harness: files=$TEST_DATA/slabsites
# harness: host-check=scripts/compare-fat-images.sh --fsck
# harness: timeout=420
# Cycles of load, read-write mount, writes (create, append, rename,
# truncate, unlink, mkdir, rmdir), unmount and unload (20 here, 100 in
# the soak tier) leave no more live slab objects behind, and every cycle
# finds what the one before wrote; after power-off the volume passes
# fsck.fat -n on the host.
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
mkdir -p /mnt/w
p=/vm/files/pattern
head -c 12345 $p >/tmp/want
c=0
cycle() {
	c=$((c + 1))
	mount -t rust_vfat "$dev" /mnt/w || return 1
	if [ $c -gt 1 ]; then
		cmp -s /tmp/want "/mnt/w/kept $((c - 1)).bin" || { echo "cycle $c: last cycle's file differs"; return 1; }
		rm "/mnt/w/kept $((c - 1)).bin" || return 1
		rmdir /mnt/w/dir || return 1
	fi
	head -c 5000 $p >/mnt/w/tmp.bin &&
		head -c 7345 $p | tail -c 2345 >>/mnt/w/tmp.bin &&
		head -c 12345 $p | tail -c 5000 >>/mnt/w/tmp.bin &&
		truncate -s 12345 /mnt/w/tmp.bin &&
		mv /mnt/w/tmp.bin "/mnt/w/kept $c.bin" &&
		mkdir /mnt/w/dir && echo x >/mnt/w/dir/f && rm /mnt/w/dir/f &&
		echo y >/mnt/w/gone.txt && rm /mnt/w/gone.txt &&
		umount /mnt/w && modprobe -r rust_vfat
}
N=$(reps 20 100)
run_cycles 3 cycle
slab_record /tmp/slab-before
run_cycles $N cycle
slab_record /tmp/slab-after
n=$(cycles_with 'rust_vfat: unloading: file system rust_vfat unregistered')
echo "unload messages in $N cycles: $n"
check_eq "unloads in $N cycles" "$n" "$N"
check_slab_sites /tmp/slab-before /tmp/slab-after $N "$N write cycles"
must mount -t vfat -o ro "$dev" /mnt/w
check "vfat reads another last file" cmp /tmp/want "/mnt/w/kept $c.bin"
check_eq "files left" "$(ls /mnt/w | grep -c kept)" 1
must umount /mnt/w
no_kernel_problems
scenario_done
