# harness: files=$TEST_DATA/bad/file-size-without-clusters.img $TEST_DATA/bad/file-cross-linked-past-its-size.img
# Extending a file whose entry and chain disagree. With a size but no
# first cluster, vfat refuses ("corrupted file size", EIO) and so must
# rust_vfat, leaving the size as it was (it used to take a cluster and
# record a size past it). With a chain longer than the size, here the
# long-named file's chain that README.TXT is cross-linked into, rust_vfat
# refuses too (EIO, "file size does not match its cluster chain") and
# leaves the other file's chain whole: it used to give back what lay past
# README's size, which cut the other file to one cluster. vfat goes on
# there ("clusters badly computed") and zeroes the other file's bytes: a
# difference on purpose (docs/differences-from-c.md). Each extension is
# tried as a truncate and as an append, on a fresh copy each time, with
# errors=continue; the copy is then read back by the C driver. Last, a
# write within the size of the file with no chain, with the default
# errors=remount-ro: the volume must end read-only as C's does.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/w /mnt/c
other="Long file name with spaces.txt"
# The long-named file's bytes as the C driver reads them from an image.
other_sha() { # IMAGE
	losetup -r /dev/loop1 "$1" || fail "losetup $1 failed"
	must mount -t vfat -o ro /dev/loop1 /mnt/c
	sha256sum <"/mnt/c/$other" | cut -c1-16
	umount /mnt/c
	losetup -d /dev/loop1
}
# Tries extension $3 (truncate or append) of README.TXT on a copy of
# image $2 under file system $1; prints "<result> <size after> <other's
# hash read back by C>".
extend() { # FS IMAGE HOW
	cp "$2" /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t "$1" -o errors=continue /dev/loop0 /mnt/w
	if [ "$3" = truncate ]; then
		truncate -s 3000 /mnt/w/README.TXT 2>/dev/null && r=ok || r=EIO
	else
		head -c 3000 /dev/zero 2>/dev/null >>/mnt/w/README.TXT && r=ok || r=EIO
	fi
	size=$(stat -c %s /mnt/w/README.TXT)
	must umount /mnt/w
	losetup -d /dev/loop0
	echo "$r $size $(other_sha /tmp/w.img)"
}

for case in file-size-without-clusters file-cross-linked-past-its-size; do
	img=$F/$case.img
	orig=$(other_sha "$img")
	for how in truncate append; do
		step "$case: $how README.TXT to 3000 bytes"
		c=$(extend vfat "$img" $how)
		dmesg_mark
		r=$(extend rust_vfat "$img" $how)
		echo "vfat: $c | rust_vfat: $r | the other file before: $orig"
		set -- $r
		check_eq "rust_vfat's $how of README.TXT" "$1" EIO
		check_eq "README.TXT's size after rust_vfat's failed $how" "$2" 100
		check_eq "the other file after rust_vfat's $how" "$3" "$orig"
		if [ $case = file-size-without-clusters ]; then
			check_eq "rust_vfat's result against vfat's" "$r" "$c"
			dmesg_has "rust_vfat \(loop0\): (corrupted file size|.*file size does not match its cluster chain)"
		else
			dmesg_has "rust_vfat \(loop0\): .*file size does not match its cluster chain"
		fi
	done
done
# A write within the size of the file with no chain, under the default
# errors=remount-ro: EIO on both, and the volume read-only afterwards, as
# fat_fs_error makes it (rust_vfat logged the line and stayed read-write).
step "file-size-without-clusters: a write within the size, errors=remount-ro"
for fs in vfat rust_vfat; do
	cp $F/file-size-without-clusters.img /tmp/w.img
	losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
	must mount -t $fs /dev/loop0 /mnt/w
	dd if=/dev/zero of=/mnt/w/README.TXT bs=10 count=1 conv=notrunc 2>/dev/null && r=ok || r=EIO
	echo x 2>/dev/null >/mnt/w/after.txt && c=ok || c=failed
	m=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
	echo "$fs: write $r, create after it $c, mount $m" | tee /tmp/ro.$fs
	must umount /mnt/w
	losetup -d /dev/loop0
done
check_eq "rust_vfat after the failed write" "$(cut -d: -f2 /tmp/ro.rust_vfat)" "$(cut -d: -f2 /tmp/ro.vfat)"
no_kernel_problems
scenario_done
