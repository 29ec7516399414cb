# harness: files=$TEST_DATA/rw/fat12.img $TEST_DATA/rwtool
# A file keeps its inode number (st_ino) while it lives, and no two live
# files share one (POSIX's file serial number), on each driver, C's as
# the oracle. rust_fat numbers an inode by its 8.3 entry's place on the
# device (stable across mounts); an inode that leaves that place keeps its
# number: renamed (also as seen through a descriptor opened before),
# exchanged, or unlinked while open, where a new file may take the place.
# readdir's d_ino of an entry whose inode is in memory is its st_ino (C:
# fat_iget; for an entry not in memory vfat gives a number of the moment).
# Each step is checked on vfat, rust_vfat, msdos and rust_msdos.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/t
# st_ino of what descriptor $1 of this shell refers to.
fd_ino() { stat -L -c %i /proc/$$/fd/$1; }
ino() { stat -c %i "$1"; }
# d_ino of every entry of directory $1 is its st_ino, once all are in
# memory (the first listing's lstat brings them).
check_d_ino() {
	local differ
	ls -l "$1" >/dev/null
	differ=$($F/rwtool inos "$1") || differ="${differ:-rwtool failed}"
	check_eq "$fs: entries of $1 whose d_ino is not their st_ino" "$differ" ""
}
for fs in vfat rust_vfat msdos rust_msdos; do
	step "$fs"
	cp $F/fat12.img /tmp/t.img
	losetup /dev/loop0 /tmp/t.img
	must mount -t $fs /dev/loop0 /mnt/t
	cd /mnt/t
	mkdir d
	echo a >aaa.txt
	a=$(ino aaa.txt)
	exec 3<aaa.txt
	mv aaa.txt bbb.txt
	check_eq "$fs: st_ino of a file renamed" "$(ino bbb.txt)" "$a"
	check_eq "$fs: st_ino through a descriptor opened before the rename" "$(fd_ino 3)" "$a"
	mv bbb.txt d/ccc.txt
	check_eq "$fs: st_ino of a file moved to another directory" "$(ino d/ccc.txt)" "$a"
	check_d_ino d
	exec 3<&-
	# A directory renamed keeps its number too.
	dn=$(ino d)
	mv d e
	check_eq "$fs: st_ino of a directory renamed" "$(ino e)" "$dn"
	check_d_ino .

	# Unlinked while open: a file created afterwards in the same place of
	# a new directory is another file.
	mkdir u
	echo x >u/xxx.txt
	exec 4<u/xxx.txt
	x=$(fd_ino 4)
	rm u/xxx.txt
	echo y >u/yyy.txt
	y=$(ino u/yyy.txt)
	echo "$fs: unlinked open file $x, the file created after it $y"
	check "$fs: a file created after an unlink has the open unlinked file's number ($x)" [ "$x" != "$y" ]
	check_d_ino u
	check_eq "$fs: st_ino of the unlinked open file" "$(fd_ino 4)" "$x"
	check_eq "$fs: the unlinked open file's bytes" "$(cat <&4)" x
	exec 4<&-

	# A rename over an open file: the replaced one lives on under its
	# number, the moved one keeps its own.
	echo t >tgt.txt
	echo s >src.txt
	t=$(ino tgt.txt)
	s=$(ino src.txt)
	exec 5<tgt.txt
	mv src.txt tgt.txt
	check_eq "$fs: st_ino of the file moved over another" "$(ino tgt.txt)" "$s"
	check_eq "$fs: st_ino of the replaced open file" "$(fd_ino 5)" "$t"
	echo n >new.txt
	n=$(ino new.txt)
	check "$fs: a new file has a live file's number ($n)" [ "$n" != "$t" ] && [ "$n" != "$s" ] && [ "$n" != "$y" ]
	check_d_ino .
	exec 5<&-
	cd /
	must umount /mnt/t
	losetup -d /dev/loop0
done
no_kernel_problems
scenario_done
