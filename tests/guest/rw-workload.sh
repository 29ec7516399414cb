# SPDX-License-Identifier: GPL-2.0
# The write workload of the rw/ scenarios, sourced by them: run once on
# the C driver and once on the Rust one, each on its own copy of one image.
# rw_workload DIR NAMES LOG: DIR is the mount point; NAMES is "long" (vfat:
# long names, a name outside the BMP) or "short" (msdos: 8.3 names); the
# outcome of each operation that may fail goes to LOG, which must come out
# the same on both drivers.

rw_outcome() { # LOG what command...
	_log=$1 _what=$2
	shift 2
	if "$@" 2>/dev/null; then echo "$_what: ok" >>"$_log"; else echo "$_what: failed" >>"$_log"; fi
}

# The same with the error itself (the text of its errno, as the shell or
# the command prints it after its last ": "), where the errno is the point.
rw_errno() { # LOG what command...
	_log=$1 _what=$2
	shift 2
	if _err=$("$@" 2>&1); then
		echo "$_what: ok" >>"$_log"
	else
		echo "$_what: ${_err##*: }" >>"$_log"
	fi
}

rw_workload() {
	d=$1 names=$2 log=$3
	p=/vm/files/pattern
	t=/vm/files/rwtool
	: >"$log"
	# Existing files: writes at offsets, appends across clusters, a write
	# far past the end (FAT has no holes: the gap is zeroed), truncates
	# down and up, O_DIRECT within the allocation.
	printf 'HELLO' | dd of="$d/SMALL.TXT" bs=1 seek=100 conv=notrunc 2>/dev/null
	head -c 9000 $p >>"$d/SMALL.TXT"
	echo more >>"$d/NOARCH.TXT"
	truncate -s 1000 "$d/BIG.BIN"
	dd if=$p of="$d/BIG.BIN" bs=4096 seek=1 count=8 conv=notrunc 2>/dev/null
	truncate -s 3000 "$d/BIG.BIN"
	truncate -s 50000 "$d/OLD/INNER.TXT"
	dd if=$p of="$d/OLD/INNER.TXT" bs=4096 count=4 oflag=direct conv=notrunc 2>/dev/null
	# New files and directories.
	echo hello >"$d/new.txt"
	printf 'abc' >"$d/UPPER.TXT"
	mkdir "$d/newdir" "$d/dir2"
	mkdir -p "$d/newdir/sub/deeper"
	echo x >"$d/newdir/sub/file.txt"
	printf 'END' | dd of="$d/newdir/gap.bin" bs=1 seek=20000 2>/dev/null
	head -c 33000 $p >"$d/newdir/pattern.bin"
	truncate -s 7000 "$d/newdir/pattern.bin"
	truncate -s 0 "$d/SMALL.TXT"
	echo again >>"$d/SMALL.TXT"
	if [ "$names" = long ]; then
		printf 'mixed' >"$d/MixedCase.Txt"
		head -c 10000 $p >"$d/A long file name with spaces.data"
		for i in 1 2 3 4 5 6; do echo $i >"$d/numtail test file $i.txt"; done
		echo smile >"$d/smile 😀 face.txt"
		mkdir "$d/𝄞 music"
		echo clef >"$d/𝄞 music/🎵.txt"
		rw_outcome "$log" "create an existing name in another case" sh -c "set -C; echo x >'$d/new.TXT'"
		rw_outcome "$log" "mkdir an existing name" mkdir "$d/NEWDIR"
	else
		printf 'mixed' >"$d/mixed.txt"
		for i in 1 2 3 4 5 6; do echo $i >"$d/file$i.txt"; done
		rw_outcome "$log" "create an existing name" sh -c "set -C; echo x >'$d/new.txt'"
		rw_outcome "$log" "a name too long for 8.3 is cut" sh -c "echo x >'$d/longername.text'"
		# Past NAME_MAX: ENAMETOOLONG (msdos_format_name), not EINVAL.
		n256=$(head -c 256 /dev/zero | tr '\0' n)
		rw_errno "$log" "create a 256-byte name" sh -c "echo x >'$d/$n256'"
		rw_errno "$log" "mkdir a 256-byte name" mkdir "$d/$n256"
		# With dots, a leading dot is the hidden attribute: set by a
		# create, and by a rename to such a name, cleared by a rename away.
		echo h >"$d/.hidden"
		echo v >"$d/shown"
		mv "$d/.hidden" "$d/visible"
		mv "$d/shown" "$d/.shown"
		echo o >"$d/other"
		mv "$d/other" "$d/.shown"
		echo t >"$d/.tohide"
		echo u >"$d/unhide"
		mv "$d/.tohide" "$d/unhide"
	fi
	# rmdir: not empty, then empty.
	rw_outcome "$log" "rmdir of a directory that is not empty" rmdir "$d/newdir/sub"
	rw_outcome "$log" "rmdir of an empty directory" rmdir "$d/newdir/sub/deeper"
	# Renames: within a directory, across directories, over an existing
	# file, a directory across directories.
	mv "$d/new.txt" "$d/renamed.txt"
	mv "$d/renamed.txt" "$d/newdir/moved.txt"
	mv "$d/UPPER.TXT" "$d/OLD/INNER.TXT"
	mv "$d/dir2" "$d/newdir/sub/dir2"
	echo in >"$d/newdir/sub/dir2/in.txt"
	# Unlinks, one of a file still open: its clusters go at the last close.
	rm "$d/BIG.BIN"
	head -c 7000 $p >/tmp/rw-want
	exec 3<"$d/newdir/pattern.bin"
	rm "$d/newdir/pattern.bin"
	rw_outcome "$log" "read an unlinked open file" cmp -s /tmp/rw-want - <&3
	exec 3<&-
	# A directory grows past a cluster, then loses records in the middle
	# and reuses them.
	i=1
	while [ $i -le 40 ]; do echo $i >"$d/OLD/grow$i.txt"; i=$((i + 1)); done
	i=1
	while [ $i -le 40 ]; do rm "$d/OLD/grow$i.txt"; i=$((i + 3)); done
	echo reused >"$d/OLD/again.txt"
	# No hard or symbolic links on FAT: the error as the C driver's.
	echo "ln: $(ln "$d/NOARCH.TXT" "$d/hard" 2>&1 | sed 's/.*: //')" >>"$log"
	echo "ln -s: $(ln -s NOARCH.TXT "$d/soft" 2>&1 | sed 's/.*: //')" >>"$log"
	# VFAT_IOCTL_READDIR_SHORT and _BOTH over the root and a directory.
	for dir in "$d" "$d/OLD"; do
		$t readdir "$dir" short >>"$log" 2>&1
		$t readdir "$dir" both >>"$log" 2>&1
	done
	# O_DIRECT past the allocated part falls back to a buffered write.
	dd if=$p of="$d/newdir/gap.bin" bs=4096 seek=8 count=2 oflag=direct conv=notrunc 2>/dev/null
	# The root directory: fixed on FAT12/16, where it fills up (ENOSPC);
	# a chain on FAT32, where it grows.
	i=0
	while [ $i -lt 600 ] && true 2>/dev/null >"$d/R$i"; do i=$((i + 1)); done
	echo "root records made: $i of 600" >>"$log"
	# One rm for them all, in the order made (a fork per file costs
	# seconds of CPU under TCG).
	(
		j=0
		set --
		while [ $j -lt $i ]; do set -- "$@" "$d/R$j"; j=$((j + 1)); done
		[ $# = 0 ] || rm "$@"
	)
	# A write far past the end (at most 4 MiB): the gap is allocated and
	# zeroed a page at a time.
	free=$(($(stat -f -c '%a * %S' "$d")))
	far=$((free / 2))
	[ $far -le $((4 << 20)) ] || far=$((4 << 20))
	rw_outcome "$log" "a write far past the end" sh -c "printf F | dd of='$d/far.bin' bs=1 seek=$far 2>/dev/null"
	ls -l "$d/far.bin" | awk '{print "far.bin: " $5 " bytes"}' >>"$log"
	rm "$d/far.bin"
	# The same reach by fallocate, keeping the size: rust_fat takes the
	# clusters in batches (two on the 512-byte-cluster FAT32 image).
	echo pre >"$d/prealloc-far.txt"
	rw_outcome "$log" "fallocate far past the end, keeping the size" \
		$t fallocate "$d/prealloc-far.txt" keep 0 $far
	echo "prealloc-far.txt: $(stat -c '%s bytes, %b sectors' "$d/prealloc-far.txt")" >>"$log"
	rm "$d/prealloc-far.txt"
	# A full volume (the FAT12 one): ENOSPC, then the space comes back;
	# also for a write past the free space (the gap cannot be allocated:
	# what is kept must be what C keeps).
	# (Also the 16 MiB volume of 64 KiB clusters, msdos' in make check.)
	if [ $free -lt $((16 << 20)) ]; then
		rw_outcome "$log" "writing more than the free space" sh -c "head -c $((free + 4096)) /dev/zero >'$d/full.bin'"
		ls -l "$d/full.bin" | awk '{print "full.bin: " $5 " bytes"}' >>"$log"
		# A name both namespaces refuse, on the full volume: msdos judges
		# the name before it takes the directory's cluster (EINVAL), vfat
		# takes the cluster first (ENOSPC).
		rw_errno "$log" "mkdir of a refused name on a full volume" mkdir "$d/a*b"
		rm "$d/full.bin"
		rw_outcome "$log" "a write past the free space" sh -c "printf F | dd of='$d/past.bin' bs=1 seek=$((free + 65536)) 2>/dev/null"
		ls -l "$d/past.bin" | awk '{print "past.bin: " $5 " bytes"}' >>"$log"
		rm "$d/past.bin"
		# fallocate past the free space: C keeps the clusters it got.
		echo pre >"$d/prealloc-full.txt"
		rw_outcome "$log" "fallocate past the free space, keeping the size" \
			$t fallocate "$d/prealloc-full.txt" keep 0 $((free + 65536))
		echo "then $(stat -f -c %a "$d") blocks free, $(stat -c %b "$d/prealloc-full.txt") sectors in the file" >>"$log"
		rm "$d/prealloc-full.txt"
	fi
	# renameat2's flags (vfat exchanges, msdos refuses), a write through a
	# shared writable mapping, fsync and fdatasync.
	echo a >"$d/xa.txt"
	echo bb >"$d/newdir/xb.txt"
	rw_outcome "$log" "RENAME_EXCHANGE of two files across directories" $t exchange "$d/xa.txt" "$d/newdir/xb.txt"
	rw_outcome "$log" "RENAME_NOREPLACE onto an existing name" $t noreplace "$d/xa.txt" "$d/newdir/moved.txt"
	rw_outcome "$log" "RENAME_NOREPLACE onto a new name" $t noreplace "$d/xa.txt" "$d/xc.txt"
	# The file system's UUID (FS_IOC_GETFSUUID): the volume id.
	echo "file system uuid: $($t fsuuid "$d" 2>&1)" >>"$log"
	# File leases (F_SETLEASE), on a file and on a directory.
	rw_errno "$log" "a read lease on a file" $t lease "$d/xc.txt"
	rw_errno "$log" "a read lease on a directory" $t lease "$d/newdir"
	rw_outcome "$log" "a write through a shared mapping" $t mmapwrite "$d/newdir/gap.bin" 5000 mapped
	rw_outcome "$log" "fsync and fdatasync" $t fsync "$d/newdir/gap.bin"
	echo pre >"$d/prealloc.txt"
	rw_outcome "$log" "fallocate, keeping the size" $t fallocate "$d/prealloc.txt" keep 0 30000
	echo more >>"$d/prealloc.txt"
	rw_outcome "$log" "fallocate, growing" $t fallocate "$d/newdir/xb.txt" grow 1000 9000
	rw_outcome "$log" "fallocate, punching a hole" $t fallocate "$d/newdir/xb.txt" punch 0 10
	rw_outcome "$log" "RENAME_EXCHANGE of a file and a directory across directories" \
		$t exchange "$d/xc.txt" "$d/newdir/sub"
	# setattr as fs/fat maps it: the write bits are the read-only
	# attribute (set, cleared, set), other mode changes are dropped,
	# owners other than the mount's refused, times set.
	chmod a-w "$d/SMALL.TXT" "$d/OLD/again.txt"
	rw_outcome "$log" "chmod u+w of a read-only file" chmod u+w "$d/SMALL.TXT"
	chmod 700 "$d/newdir/moved.txt"
	rw_outcome "$log" "chown to another owner" chown 1234 "$d/newdir/moved.txt"
	touch -d "2020-01-02 03:04:05" "$d/newdir/gap.bin"
	touch -d "2021-06-07 08:09:10" "$d/newdir"
	ls -l "$d/SMALL.TXT" "$d/OLD/again.txt" "$d/newdir/moved.txt" | awk '{print $1, $NF}' >>"$log"
	# The FAT ioctls: attributes read and set (a chmod underneath), the
	# root's refused, the volume id.
	$t volid "$d" >>"$log" 2>&1
	for f in "$d/OLD/again.txt" "$d/newdir" "$d" "$d/NOARCH.TXT"; do $t getattr "$f" >>"$log" 2>&1; done
	for f in "$d/newdir/gap.bin" "$d/newdir" "$d"; do echo "fileattr: $($t fileattr "$f" 2>&1)" >>"$log"; done
	# The same clusters on both drivers, and what a fallocate added past
	# the size is mapped too.
	for f in newdir/gap.bin prealloc.txt; do echo "$f: $($t fibmap "$d/$f" 72 2>&1)" >>"$log"; done
	rw_outcome "$log" "set hidden and system" $t setattr "$d/newdir/gap.bin" 0x26
	rw_outcome "$log" "set read-only" $t setattr "$d/NOARCH.TXT" 0x01
	rw_outcome "$log" "clear read-only" $t setattr "$d/OLD/again.txt" 0x20
	rw_outcome "$log" "set hidden on a directory" $t setattr "$d/newdir" 0x12
	rw_outcome "$log" "set hidden on the root" $t setattr "$d" 0x02
	rw_outcome "$log" "set the root's directory bit" $t setattr "$d" 0x10
	for f in "$d/newdir/gap.bin" "$d/NOARCH.TXT" "$d/OLD/again.txt" "$d/newdir"; do
		$t getattr "$f" >>"$log" 2>&1
		ls -ld "$f" | awk '{print $1, $NF}' >>"$log"
	done
	sync
}
