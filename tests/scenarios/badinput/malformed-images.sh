# bench: files=$BENCH_DATA/bad $BENCH_DATA/images/fat12-basic.img
# Malformed volumes: a broken boot sector fails the mount with EINVAL and
# one dmesg line; damage met later (chains, directories) fails the read or
# lookup with EIO and a rate-limited dmesg line; the module keeps serving
# and the kernel stays clean (the harness fails on any Oops/BUG/WARNING).
. /bench/lib.sh
F=/bench/files
mkdir -p /mnt/r
must modprobe rust_vfat
mounted=0 refused=0
for img in $F/bad/*.img; do
	name=$(basename "$img" .img)
	losetup -r /dev/loop0 "$img" || fail "losetup $img failed"
	dmesg_mark
	if out=$(mount -t rust_vfat /dev/loop0 /mnt/r 2>&1); then
		mounted=$((mounted + 1))
		errs=$( { find /mnt/r -exec stat {} + >/dev/null; find /mnt/r -type f -exec cat {} + >/dev/null; } 2>&1 | grep -c 'I/O error')
		must umount /mnt/r
		echo "mounted $name: $errs read errors; $(dmesg_new | grep -c 'rust_vfat (loop0)') dmesg lines"
	else
		refused=$((refused + 1))
		echo "$out" | grep -q 'Invalid argument\|Input/output error' || fail "$name: mount failed without EINVAL/EIO: $out"
		lines=$(dmesg_new | grep -c 'rust_vfat (loop0)')
		[ "$lines" -ge 1 ] || fail "$name: the refused mount left no dmesg line"
		echo "refused $name: $(dmesg_new | grep 'rust_vfat (loop0)' | head -1 | sed 's/.*rust_vfat (loop0): //')"
	fi
	losetup -d /dev/loop0
done
echo "$mounted mounted, $refused refused"
[ $refused -ge 5 ] || fail "fewer than 5 malformed boot sectors refused"
step "the good image still mounts"
losetup -r /dev/loop0 $F/fat12-basic.img
must mount -t rust_vfat /dev/loop0 /mnt/r
[ -f /mnt/r/README.TXT ] || fail "README.TXT missing"
must umount /mnt/r
step "mount options: an unknown one fails the mount with EINVAL and one line"
dmesg_mark
must_fail mount -t rust_vfat -o bogus /dev/loop0 /mnt/r
echo "$OUT" | grep -q 'Invalid argument' || fail "want EINVAL"
dmesg_has "rust_vfat: Unknown parameter 'bogus'"
step "read-only: rw mounts read-only, writes fail with EROFS, remount,rw is refused"
must mount -t rust_vfat -o rw /dev/loop0 /mnt/r
grep ' /mnt/r rust_vfat ro' /proc/mounts || fail "not mounted read-only"
must_fail sh -c 'echo x > /mnt/r/new.txt'
echo "$OUT" | grep -q 'Read-only file system' || fail "want EROFS"
must_fail mount -o remount,rw /mnt/r
grep ' /mnt/r rust_vfat ro' /proc/mounts || fail "remount,rw changed the mount"
must umount /mnt/r
losetup -d /dev/loop0
exit 0
