# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool
# harness: no-ncr810
# Which times and attributes a removal, a rename and a truncation change,
# with fs/fat as the oracle, each driver on its own copy of one image:
# - a directory that loses a record (unlink, rmdir, a rename away) gets
#   its access time with its change times (fat_remove_entries: ATIME and
#   CMTIME), so vfat's access date on the disk moves too;
# - an unlinked or removed inode, alive while open, gets its access and
#   change times on vfat (vfat_unlink, vfat_rmdir) and keeps its times on
#   msdos; a target replaced by a rename keeps its times on both;
# - a truncation changes a file only if it has clusters (fat_free): the
#   archive attribute and the change times, even when no cluster goes; an
#   empty file's truncate(2) changes nothing (truncate(2) asks for no time
#   update, ftruncate and O_TRUNC do); giving back a preallocation at the
#   inode's eviction is such a truncation, and the disk keeps it.
# rust_fat used to leave the directory's access time, set the change
# times of every removed or replaced inode, set them at every truncation
# and never the archive attribute (a red-team pass).
. /vm/lib.sh
T=/vm/files/rwtool
mkdir -p /mnt/w
# "old" for a time before 2017 (set by utimensat below), else "new".
age() {
	set -- $($T times "$1")
	for t in "$2" "$4" "$6"; do
		[ "${t%.*}" -lt 1500000000 ] && printf 'old ' || printf 'new '
	done
}
old() { for f; do $T utimens "$f" 1000000000 0 1000000000 0 || fail "utimens $f"; done; }
for fs in vfat rust_vfat msdos rust_msdos; do
	cp /vm/files/fat16.img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	cd /mnt/w || fail "cd"
	mkdir d d/sub && echo x >d/f && echo y >d/g && : >d/u && : >d/t && : >d/s
	old d
	rm d/f
	r="unlink: dir $(age d);"
	old d
	mv d/g d/h
	r="$r rename in place: dir $(age d);"
	old d
	rmdir d/sub
	r="$r rmdir: dir $(age d);"
	mkdir e
	old d e
	mv d/h e/h
	r="$r rename away: from $(age d)to $(age e);"
	old d/u
	exec 3<d/u
	rm d/u
	r="$r unlinked open file $(age /proc/$$/fd/3);"
	exec 3<&-
	mkdir d/open
	old d/open
	exec 3<d/open
	rmdir d/open
	r="$r removed open dir $(age /proc/$$/fd/3);"
	exec 3<&-
	old d/t d/s
	exec 3<d/t
	mv d/s d/t
	r="$r replaced open target $(age /proc/$$/fd/3)moved $(age d/t);"
	exec 3<&-
	: >empty
	old empty
	must $T truncate empty 0
	r="$r empty truncated $(age empty)$($T getattr empty);"
	echo data >full
	must $T setattr full 0
	old full
	must $T truncate full 5
	r="$r same size $(age full)$($T getattr full);"
	must $T setattr full 0
	old full
	must $T truncate full 2
	r="$r shorter $(age full)$($T getattr full);"
	# Clusters preallocated past the size go back when the inode is
	# evicted, at the unmount at the latest (fat_free_eofblocks): a
	# truncation of a file with clusters, which changes it.
	echo data >pre
	must $T fallocate pre keep 0 100000
	must $T setattr pre 0
	old pre
	# What the disk keeps: vfat's access date of a directory that lost a
	# record, and the file that gave back its preallocation.
	old d
	rm d/t
	cd /
	must umount /mnt/w
	must mount -t $fs /dev/loop0 /mnt/w
	r="$r after remount: dir $(age /mnt/w/d)preallocated $(age /mnt/w/pre)$($T getattr /mnt/w/pre)"
	must umount /mnt/w
	losetup -d /dev/loop0
	echo "$fs: $r" | tee /tmp/out.$fs
done
check_each_against_c /tmp/out
check_eq "vfat's outcome" "$(cut -d: -f2- /tmp/out.vfat)" " unlink: dir new new new ; rename in place: dir new new new ; rmdir: dir new new new ; rename away: from new new new to old new new ; unlinked open file new new new ; removed open dir new new new ; replaced open target old old old moved old old old ; empty truncated old old old attr 0x20; same size old new new attr 0x20; shorter old new new attr 0x20; after remount: dir new new new preallocated old new new attr 0x20"
no_kernel_problems
scenario_done
