# bench: files=$BENCH_DATA/fatls $BENCH_DATA/images/*.img $BENCH_DATA/images/*.label
# bench: timeout=180
# For every generated image (mkfs.fat + mtools), plus one the kernel's own
# vfat wrote names outside the BMP into: the listing /dev/rust_vfat gives
# equals the one built from the C vfat driver (-o ro,utf8).
. /bench/lib.sh
must modprobe rust_vfat
F=/bench/files
mkdir -p /mnt/img /tmp/cmp

step "names outside the BMP, written by the kernel's vfat"
cp $F/fat16-unicode.img /tmp/nonbmp.img
loop_mount /tmp/nonbmp.img /mnt/img utf8
echo smile >"/mnt/img/smile 😀 face.txt"
mkdir "/mnt/img/𝄞 music 𝄞"
echo clef >"/mnt/img/𝄞 music 𝄞/🎵.txt"
loop_umount /mnt/img

status=0
for img in $F/*.img /tmp/nonbmp.img; do
	name=$(basename "$img" .img)
	# The label as mtools read it on the host (nonbmp is a copy of fat16-unicode).
	case $name in nonbmp) from=fat16-unicode ;; *) from=$name ;; esac
	label=$(cat "$F/$from.label")
	loop_mount "$img" /mnt/img ro,utf8
	$F/fatls /mnt/img "$label" >/tmp/cmp/$name.c || fail "fatls failed on $name"
	loop_umount /mnt/img
	exec 3<>/dev/rust_vfat
	cat "$img" >&3
	if ! cat <&3 >/tmp/cmp/$name.rust; then
		exec 3<&-
		echo "MISMATCH $name: /dev/rust_vfat refused the image"
		status=1
		continue
	fi
	exec 3<&-
	if cmp -s /tmp/cmp/$name.c /tmp/cmp/$name.rust; then
		echo "same $name: $(($(wc -l </tmp/cmp/$name.c) - 1)) entries"
	else
		echo "MISMATCH $name: first differing lines (- C vfat, + rust_vfat):"
		diff /tmp/cmp/$name.c /tmp/cmp/$name.rust | grep '^[-+][^-+]' | head -4
		status=1
	fi
done
grep -h '😀\|𝄞' /tmp/cmp/nonbmp.rust
exit $status
