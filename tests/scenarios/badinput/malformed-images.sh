# harness: files=$TEST_DATA/bad $TEST_DATA/images/fat12-basic.img
# Malformed volumes, one defect each (scripts/make-bad-images.py), each with
# what a rust_vfat mount must do: a broken or unreadable boot sector fails
# the mount with EINVAL or EIO, as the C driver's does, and one dmesg line
# (mount-EINVAL, mount-EIO); structural damage fails the
# read that meets it with EIO and a dmesg line (read-EIO); what real volumes
# carry (orphaned or mismatched long names, ...) shows the same tree, stat
# and contents as the C vfat (same-as-C). Then mount options and a
# write-protected device. The harness fails on any Oops/BUG/WARNING.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/r /mnt/c
must modprobe rust_vfat
# A directory may contain its parent: look 6 levels deep.
FS_SNAPSHOT_DEPTH=6
status=0
while read -r name want; do
	img=$F/bad/$name.img
	losetup -r /dev/loop0 "$img" || fail "losetup $img failed"
	dmesg_mark
	count_check
	if out=$(mount -t rust_vfat -o utf8 /dev/loop0 /mnt/r 2>&1); then
		fs_snapshot /mnt/r /tmp/rust.txt
		must umount /mnt/r
		lines=$(dmesg_new | grep -c 'rust_vfat (loop0): ')
		case $want in
		mount-*)
			echo "FAIL $name: mounted, want $want"; status=1 ;;
		read-EIO)
			if grep -qE 'I/O error|Input/output error' /tmp/rust.txt && [ "$lines" -ge 1 ]; then
				echo "ok   $name: EIO; $(dmesg_new | grep 'rust_vfat (loop0): ' | head -1 | sed 's/.*(loop0): //')"
			else
				echo "FAIL $name: want EIO and a dmesg line, got $lines line(s):"; head -5 /tmp/rust.txt; status=1
			fi ;;
		same-as-C)
			losetup -r /dev/loop1 "$img"
			must mount -t vfat -o ro,utf8 /dev/loop1 /mnt/c
			fs_snapshot /mnt/c /tmp/c.txt
			must umount /mnt/c
			losetup -d /dev/loop1
			if cmp -s /tmp/c.txt /tmp/rust.txt; then
				echo "ok   $name: same as the C vfat ($(wc -l </tmp/c.txt) lines)"
			else
				echo "FAIL $name: differs from the C vfat (- C, + Rust):"
				diff /tmp/c.txt /tmp/rust.txt | grep '^[-+][^-+]' | head -6
				status=1
			fi ;;
		*) fail "unknown expectation $want" ;;
		esac
	else
		lines=$(dmesg_new | grep -c 'rust_vfat (loop0): ')
		case $want in mount-EINVAL) msg='Invalid argument' ;; mount-EIO) msg='Input/output error' ;; *) msg='(mounts)' ;; esac
		if echo "$out" | grep -q "$msg" && [ "$lines" = 1 ]; then
			echo "ok   $name: ${want#mount-}; $(dmesg_new | grep 'rust_vfat (loop0): ' | sed 's/.*(loop0): //')"
		else
			echo "FAIL $name: mount failed ($out) with $lines dmesg line(s), want $want"; status=1
		fi
	fi
	losetup -d /dev/loop0
done <$F/bad/expect

step "the good image still mounts"
losetup -r /dev/loop0 $F/fat12-basic.img
must mount -t rust_vfat /dev/loop0 /mnt/r
check "README.TXT missing" [ -f /mnt/r/README.TXT ]
must umount /mnt/r
step "mount options: an unknown one fails the mount with EINVAL and one line"
dmesg_mark
must_fail mount -t rust_vfat -o bogus /dev/loop0 /mnt/r
echo "$OUT" | grep -q 'Invalid argument' || fail "want EINVAL"
dmesg_has "rust_vfat: Unknown parameter 'bogus'"
step "a bad value fails it the same way"
dmesg_mark
must_fail mount -t rust_vfat -o umask=9 /dev/loop0 /mnt/r
echo "$OUT" | grep -q 'Invalid argument' || fail "want EINVAL"
dmesg_has "rust_vfat: bad value for 'umask'"
step "a write-protected device: rw mounts read-only, writes fail with EROFS, remount,rw is refused"
must mount -t rust_vfat -o rw /dev/loop0 /mnt/r
grep ' /mnt/r rust_vfat ro' /proc/mounts || fail "not mounted read-only"
must_fail sh -c 'echo x > /mnt/r/new.txt'
echo "$OUT" | grep -q 'Read-only file system' || fail "want EROFS"
must_fail mount -o remount,rw /mnt/r
grep ' /mnt/r rust_vfat ro' /proc/mounts || fail "remount,rw changed the mount"
must umount /mnt/r
losetup -d /dev/loop0
must modprobe -r rust_vfat
check "a malformed image was handled otherwise than expected (its FAIL line above)" [ $status = 0 ]
scenario_done
