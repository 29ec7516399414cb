# harness: files=$TEST_DATA/bad/file-chain-hits-free-cluster.img
# errors= as fs/fat: on a read-write mount, a read that meets a broken
# cluster chain fails with EIO and, with errors=remount-ro (the default),
# makes the mount read-only at once (one "Filesystem has been set
# read-only" line; writes then fail), with errors=continue it stays
# read-write. rust_vfat must do what vfat does, each on its own writable
# copy of the damaged image; an append to the broken file fails with as
# many error lines on both. errors=panic: rw/15-errors-panic.sh.
. /vm/lib.sh
mkdir -p /mnt/w
img=/vm/files/file-chain-hits-free-cluster.img
broken="/mnt/w/Long file name with spaces.txt"
for fs in vfat rust_vfat; do
	for opt in "" errors=continue errors=remount-ro; do
		step "$fs ${opt:-(default)}"
		cp $img /tmp/w.img
		losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
		dmesg_mark
		must mount -t $fs ${opt:+-o $opt} /dev/loop0 /mnt/w
		if cat "$broken" >/dev/null 2>&1; then r=ok; else r=failed; fi
		m=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
		if echo x 2>/dev/null >/mnt/w/new.txt; then w=ok; else w=failed; fi
		n=$(dmesg_new | grep -c "Filesystem has been set read-only")
		echo "${opt:-default}: read $r, mount $m, write $w, $n read-only line(s)" | tee -a /tmp/$fs.txt
		must umount /mnt/w
		losetup -d /dev/loop0
	done
done
# An append to the broken file with errors=continue: it fails, with as
# many error lines as C prints (rust_fat's reservation of the write's
# clusters meets the damage first and leaves the report to the mapping).
for fs in vfat rust_vfat; do
	step "$fs errors=continue, an append to the broken file"
	cp $img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	dmesg_mark
	must mount -t $fs -o errors=continue /dev/loop0 /mnt/w
	if head -c 1000 /dev/zero 2>/dev/null >>"$broken"; then a=ok; else a=failed; fi
	n=$(dmesg_new | grep -c "(loop0)")
	echo "append: $a, $n error line(s)" | tee -a /tmp/$fs.txt
	must umount /mnt/w
	losetup -d /dev/loop0
done
count_check
diff /tmp/vfat.txt /tmp/rust_vfat.txt || fail "rust_vfat differs from vfat (- C, + Rust)"
check "no mount became read-only" grep -q "mount ro" /tmp/rust_vfat.txt
check "errors=continue did not stay read-write" grep -q "errors=continue: read failed, mount rw, write ok" /tmp/rust_vfat.txt
no_kernel_problems
scenario_done
