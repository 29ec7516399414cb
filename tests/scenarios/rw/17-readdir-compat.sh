# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool $TEST_DATA/readdir32
# harness: no-ncr810
# VFAT_IOCTL_READDIR_SHORT/BOTH from a 32-bit program (pairs of struct
# compat_dirent: other command numbers, other offsets), as fs/fat's
# fat_compat_dir_ioctl serves them: readdir32 (tests/guest/readdir32.c)
# must list the root and a subdirectory as the 64-bit rwtool does, on
# vfat and on rust_vfat alike. Only a kernel with IA32_EMULATION
# (CONFIG_COMPAT) runs 32-bit programs: Debian's does (make check
# KERNEL=debian); the project's test kernel does not, and the part is
# skipped there with that reason.
. /vm/lib.sh
mkdir -p /mnt/w
img=/vm/files/fat16.img
list() { # tool fs dir mode
	"$@" 2>&1 || echo "exit $?"
}
# A kernel that cannot execute it hands it to the shell as a script.
probe=$(/vm/files/readdir32 2>&1 || true)
case "$probe" in
"usage: readdir32"*) ;;
*)
	echo "readdir32 does not run here: $probe"
	touch /tmp/no32
	;;
esac
for fs in vfat rust_vfat; do
	losetup -r /dev/loop0 $img || fail "losetup failed"
	must mount -t $fs -o ro /dev/loop0 /mnt/w
	for dir in /mnt/w "/mnt/w/Old long dir" /mnt/w/OLD; do
		for mode in short both; do
			list /vm/files/rwtool readdir "$dir" $mode >>/tmp/64.$fs
			if [ -e /tmp/no32 ]; then continue; fi
			list /vm/files/readdir32 "$dir" $mode >>/tmp/32.$fs
		done
	done
	must umount /mnt/w
	losetup -d /dev/loop0
done
cat /tmp/64.rust_vfat
diff /tmp/64.vfat /tmp/64.rust_vfat || fail "rust_vfat's 64-bit readdir ioctls differ from vfat's (- C, + Rust)"
count_check
check "the 64-bit listing failed" grep -q "Long existing name.txt" /tmp/64.vfat
if [ -e /tmp/no32 ]; then
	skip_part compat "this kernel runs no 32-bit programs (no IA32_EMULATION, so no CONFIG_COMPAT); make check KERNEL=debian runs this part"
else
	cat /tmp/32.rust_vfat
	diff /tmp/64.vfat /tmp/32.vfat || fail "vfat's 32-bit readdir ioctls differ from its 64-bit ones (- 64, + 32)"
	count_check
	diff /tmp/32.vfat /tmp/32.rust_vfat || fail "rust_vfat's 32-bit readdir ioctls differ from vfat's (- C, + Rust)"
	count_check
fi
no_kernel_problems
scenario_done
