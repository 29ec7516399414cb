# harness: files=$TEST_DATA/bad/file-chain-hits-free-cluster.img
# errors= as fs/fat: on a read-write mount, a read that meets a broken
# cluster chain fails with EIO and, with errors=remount-ro (the default),
# makes the mount read-only at once (one "Filesystem has been set
# read-only" line; writes then fail), with errors=continue it stays
# read-write. rust_vfat must do what vfat does, each on its own writable
# copy of the damaged image; an append to the broken file fails with as
# many error lines on both; a file unlinked while open keeps no
# clusters once closed on a mount gone read-only, and files written
# before it went read-only keep what was written. errors=panic:
# rw/15-errors-panic.sh.
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
# A file unlinked while open and closed after the mount went read-only
# (the default policy, met by a read of the broken file): its clusters
# are freed at the last close all the same, as fat_evict_inode frees them
# (rust_fat kept them allocated, lost to the volume, a red-team pass).
for fs in vfat rust_vfat; do
	step "$fs default, a file unlinked while open, closed after the mount went read-only"
	cp $img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	exec 3</mnt/w/README.TXT
	rm /mnt/w/README.TXT
	cat "$broken" >/dev/null 2>&1
	m=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
	exec 3<&-
	must umount /mnt/w
	must mount -t vfat -o ro /dev/loop0 /mnt/w
	echo "unlinked then closed on a mount gone $m: $(stat -f -c %f /mnt/w) free clusters after" | tee -a /tmp/$fs.txt
	must umount /mnt/w
	losetup -d /dev/loop0
done
# Files written before the mount went read-only (the default policy, met
# by a read of the broken file) keep their new sizes and bytes after a
# sync, as fs/fat writes the dirty inodes back on a read-only mount too
# (rust_fat's write_inode did not: a new file came back empty, an append
# lost, a red-team pass).
head -c 6000 /vm/files/pattern >/tmp/new 2>/dev/null || head -c 6000 /dev/urandom >/tmp/new
for fs in vfat rust_vfat; do
	step "$fs default, files written before the mount went read-only"
	cp $img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	must cp /tmp/new /mnt/w/NEW.BIN
	cat /tmp/new >>/mnt/w/README.TXT || fail "append to README.TXT failed"
	cat "$broken" >/dev/null 2>&1
	m=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
	sync
	must umount /mnt/w
	must mount -t vfat -o ro /dev/loop0 /mnt/w
	tail -c 6000 /mnt/w/README.TXT | cmp -s /tmp/new - && a=there || a=lost
	cmp -s /tmp/new /mnt/w/NEW.BIN && n=there || n=lost
	echo "written, then a mount gone $m: NEW.BIN $(stat -c %s /mnt/w/NEW.BIN) bytes ($n), README.TXT $(stat -c %s /mnt/w/README.TXT) bytes (append $a)" | tee -a /tmp/$fs.txt
	must umount /mnt/w
	losetup -d /dev/loop0
done
count_check
diff /tmp/vfat.txt /tmp/rust_vfat.txt || fail "rust_vfat differs from vfat (- C, + Rust)"
check "no mount became read-only" grep -q "mount ro" /tmp/rust_vfat.txt
check "errors=continue did not stay read-write" grep -q "errors=continue: read failed, mount rw, write ok" /tmp/rust_vfat.txt
no_kernel_problems
scenario_done
