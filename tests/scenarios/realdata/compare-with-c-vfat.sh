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
compare() { # image rust-type c-type options
	name=$(basename "$1" .img).$2
	count_check
	if ! mount_pair "$1" "$2" "$3" "$4"; then
		echo "MISMATCH $name: mount -t $2 failed"; dmesg | tail -3; status=1
	else
		fs_snapshot /mnt/r /tmp/cmp/$name.rust
		fs_snapshot /mnt/c /tmp/cmp/$name.c
		if cmp -s /tmp/cmp/$name.c /tmp/cmp/$name.rust; then
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

step "lookups by another case and by the 8.3 alias"
losetup -r /dev/loop0 $F/fat12-basic.img
must mount -t rust_vfat -o utf8 /dev/loop0 /mnt/r
ls -i "/mnt/r/Long file name with spaces.txt" /mnt/r/LONGFI~1.TXT "/mnt/r/LONG FILE NAME WITH SPACES.TXT" | tee /tmp/ino
check "the long name, its 8.3 alias and another case are not the same inode" [ "$(awk '{print $1}' /tmp/ino | sort -u | wc -l)" = 1 ]
cmp "/mnt/r/Long file name with spaces.txt" /mnt/r/longfi~1.txt || fail "the 8.3 alias reads other bytes"
check "no name outside the BMP in the listing" grep -q smile /tmp/cmp/nonbmp.rust_vfat.rust
umount /mnt/r
losetup -d /dev/loop0
check "a comparison differed (the MISMATCH lines above)" [ $status = 0 ]
scenario_done
