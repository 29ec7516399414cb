# harness: files=$TEST_DATA/images/*.img $TEST_DATA/fatstress
# harness: memory=1024
# harness: timeout=240
# For every generated image (mkfs.fat + mtools), plus one the kernel's own
# vfat wrote names outside the BMP into: mounted with rust_vfat and with the
# C vfat (both -o ro,utf8), and with rust_msdos and the C msdos, the trees
# are equal in readdir order, and so are stat of every entry (type, mode,
# size, uid, gid, nlink, atime, mtime, ctime, blocks, I/O block size, birth
# time), the SHA-256 of every file, lookups by another case and by the 8.3
# alias, and statfs.
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/r /mnt/c /tmp/cmp

step "names outside the BMP, written by the kernel's vfat"
cp $F/fat16-unicode.img /tmp/nonbmp.img
loop_mount /tmp/nonbmp.img /mnt/c utf8
echo smile >"/mnt/c/smile 😀 face.txt"
mkdir "/mnt/c/𝄞 music 𝄞"
echo clef >"/mnt/c/𝄞 music 𝄞/🎵.txt"
loop_umount /mnt/c

status=0
compared=0
compare() { # image rust-type c-type options
	name=$(basename "$1" .img).$2
	count_check
	compared=$((compared + 1))
	if ! mount_pair "$1" "$2" "$3" "$4"; then
		echo "MISMATCH $name: mount -t $2 failed"; dmesg | tail -3; status=1
	else
		fs_snapshot /mnt/r /tmp/cmp/$name.rust
		fs_snapshot /mnt/c /tmp/cmp/$name.c
		entries=$(grep -c '^\./' /tmp/cmp/$name.c)
		if [ "$entries" = 0 ]; then
			echo "MISMATCH $name: the C driver lists nothing: nothing was compared"
			status=1
		elif cmp -s /tmp/cmp/$name.c /tmp/cmp/$name.rust; then
			echo "same $name: $(grep -c '^\. \|^\./' /tmp/cmp/$name.c) stat lines and hashes"
		else
			echo "MISMATCH $name (- C, + Rust):"
			diff /tmp/cmp/$name.c /tmp/cmp/$name.rust | grep '^[-+][^-+]' | head -6
			status=1
		fi
		umount_pair
	fi
}
for img in $F/*.img /tmp/nonbmp.img; do
	compare "$img" rust_vfat vfat utf8
	compare "$img" rust_msdos msdos nocase
done
# msdos's default names and its dotted hidden files, on the image with one.
compare $F/fat12-basic.img rust_msdos msdos dots

step "mount options, applied as fs/fat applies them"
for opts in iocharset=iso8859-1 uni_xlate shortname=lower,utf8 shortname=win95,utf8 \
	utf8,uid=1000,gid=100,umask=027 utf8,fmask=0133,dmask=0002,showexec,time_offset=-120 \
	utf8,tz=UTC,sys_immutable,quiet check=s,utf8; do
	compare $F/fat16-unicode.img rust_vfat vfat "$opts"
	compare $F/fat12-basic.img rust_vfat vfat "$opts"
done
compare $F/fat12-basic.img rust_msdos msdos uid=7,gid=8,umask=077,tz=UTC
# 8.3 names with code page 437 letters outside ISO 8859-1: :xxxx escapes.
for opts in uni_xlate iocharset=iso8859-1; do
	compare $F/fat16-cp437-short.img rust_vfat vfat "$opts"
done

nimg=$(ls $F/*.img | wc -l)
echo "$compared comparisons of $nimg images and the one written here"
check_eq "comparisons made" "$compared" $((2 * (nimg + 1) + 1 + 2 * 8 + 1 + 2))

step "lookups by another case and by the 8.3 alias, on a fresh mount"
# Another case first, while nothing of the volume is in the dentry cache:
# that lookup reaches the directory on disk (a cached name would match it
# through d_compare whatever the lookup does). Each name is counted: a
# name that does not resolve fails, it is not left out of the comparison.
losetup -r /dev/loop0 $F/fat12-basic.img
must mount -t rust_vfat -o utf8 /dev/loop0 /mnt/r
: >/tmp/ino
for n in "LONG FILE NAME WITH SPACES.TXT" longfi~1.txt "Long file name with spaces.txt"; do
	i=$(stat -c %i "/mnt/r/$n")
	check "no inode for '$n': the lookup failed" [ -n "$i" ]
	echo "$i $n" | tee -a /tmp/ino
done
check_eq "names looked up" "$(wc -l </tmp/ino)" 3
check_eq "inodes of the long name, its 8.3 alias and another case" "$(awk '{print $1}' /tmp/ino | sort -u | wc -l)" 1
check "the 8.3 alias reads other bytes" cmp "/mnt/r/Long file name with spaces.txt" /mnt/r/LONGFI~1.TXT
check "no name outside the BMP in the listing" grep -q smile /tmp/cmp/nonbmp.rust_vfat.rust
must umount /mnt/r
losetup -d /dev/loop0
check "a comparison differed (the MISMATCH lines above)" [ $status = 0 ]
scenario_done
