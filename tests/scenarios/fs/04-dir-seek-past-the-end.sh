# harness: files=$TEST_DATA/dirseek $TEST_DATA/images/fat12-basic.img $TEST_DATA/images/fat32-many.img
# A directory position is the byte offset of a record (the root's 0 and 1
# are . and ..). getdents from a position past the directory's end reads
# nothing and leaves the position where it was: the C fat's __fat_readdir
# ends with ctx->pos = cpos. rust_fat's readdir ends with ctx->pos =
# i_size, so lseek(dir, 4096) + getdents + lseek(dir, 0, SEEK_CUR) gives
# 512 (the directory's size), a position the caller never set. Positions,
# errors and entry counts compared with the C vfat for the root and
# subdirectories, at offsets in, at and past the end (odd ones too).
. /vm/lib.sh
F=/vm/files
must modprobe vfat
status=0
for img in fat12-basic fat32-many; do
	mount_pair $F/$img.img rust_vfat vfat utf8 || fail "mount -t rust_vfat $img failed"
	(cd /mnt/c && find . -type d | head -8) >/tmp/dirs
	while read -r d; do
		set -- 0 1 2 3 32 33 64 512 544 4096 65536 0x7fffffe0 0xffffffe0
		$F/dirseek "/mnt/c/$d" "$@" >/tmp/c.txt
		$F/dirseek "/mnt/r/$d" "$@" >/tmp/r.txt
		count_check
		if ! cmp -s /tmp/c.txt /tmp/r.txt; then
			echo "FAIL $img $d: readdir positions differ from the C vfat (- C, + rust_vfat):"
			diff /tmp/c.txt /tmp/r.txt | grep '^[-+][^-+]'
			status=1
		fi
	done </tmp/dirs
	echo "$img: $(wc -l </tmp/dirs) directories compared"
	check "$img: no directory compared" [ "$(wc -l </tmp/dirs)" -gt 0 ]
	umount_pair
done
check "readdir positions differed from the C vfat (the FAIL lines above)" [ $status = 0 ]
scenario_done
