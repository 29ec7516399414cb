# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool
# harness: no-ncr810
# Times as fs/fat keeps them in memory, not only on the disk
# (fat_truncate_time): a modification time in 2-second steps with the
# change time equal to it, an access time at the local day's midnight.
# utimensat's times come back from stat as vfat and msdos show them, each
# driver on its own copy of one image; a write's and a read's own updates
# (the VFS's update_time) obey the same rules. rust_fat used to keep the
# times as given until the inode left the cache (a red-team pass).
. /vm/lib.sh
T=/vm/files/rwtool
mkdir -p /mnt/w
for fs in vfat rust_vfat msdos rust_msdos; do
	cp /vm/files/fat16.img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	echo x >/mnt/w/t.txt
	must $T utimens /mnt/w/t.txt 1700000001 700000000 1700000001 700000000
	u=$($T times /mnt/w/t.txt)
	# A write: the modification time is now, in 2-second steps, and the
	# change time follows it.
	echo y >>/mnt/w/t.txt
	set -- $($T times /mnt/w/t.txt)
	m=${4%.*} mn=${4#*.} c=$6
	w="write: mtime even $([ $((m % 2)) = 0 ] && echo yes || echo no), nsec $mn, ctime=mtime $([ "$c" = "$4" ] && echo yes || echo no)"
	# A read after the access time was set back: relatime updates it
	# (vfat keeps it; msdos mounts noatime), to a local midnight.
	must $T utimens /mnt/w/t.txt 1000000000 0 1000000000 0
	cat /mnt/w/t.txt >/dev/null
	set -- $($T times /mnt/w/t.txt)
	a=${2%.*} an=${2#*.}
	r="read: atime at midnight $([ $((a % 86400)) = 0 ] && echo yes || echo no), nsec $an, changed $([ "$a" != 999993600 ] && echo yes || echo no)"
	must umount /mnt/w
	losetup -d /dev/loop0
	echo "$fs: utimensat: $u; $w; $r" | tee /tmp/times.$fs
done
check_each_against_c /tmp/times
no_kernel_problems
scenario_done
