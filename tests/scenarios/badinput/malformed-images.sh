# bench: files=$BENCH_DATA/rvfat $BENCH_DATA/bad $BENCH_DATA/images/fat12-basic.img
# Every malformed image gets its error code and exactly one dmesg line; the
# module keeps serving; reads before writing and oversized images too.
. /bench/lib.sh
F=/bench/files
must modprobe rust_vfat
good=$F/fat12-basic.img
status=0
while read -r name want; do
	dmesg_mark
	got=$($F/rvfat list $F/bad/$name.img | awk '{print $2}')
	lines=$(dmesg_new | grep -c 'rust_vfat: image rejected')
	if [ "$want" = OK ]; then want_lines=0; else want_lines=1; fi
	if [ "$got" = "$want" ] && [ "$lines" = "$want_lines" ]; then
		echo "ok   $name: $got $(dmesg_new | grep 'rust_vfat: image rejected' | sed 's/.*rust_vfat: //')"
	else
		echo "FAIL $name: got $got with $lines dmesg line(s), want $want with $want_lines"
		status=1
	fi
	# The next opener is served as if nothing happened.
	$F/rvfat list $good | grep -q ' OK 11$' || { echo "FAIL: good image not served after $name"; status=1; }
done <$F/bad/expect

step "reading before writing"
dmesg_mark
exec 3<>/dev/rust_vfat
out=$(cat <&3 2>&1) && fail "read before write succeeded"
exec 3<&-
echo "$out" | grep -q 'No data available' || fail "want ENODATA, got: $out"
dmesg_has 'rust_vfat: read before any image was written'

step "an empty write is no image"
exec 3<>/dev/rust_vfat
printf '' >&3
out=$(cat <&3 2>&1) && fail "read after an empty write succeeded"
exec 3<&-
echo "$out" | grep -q 'No data available' || fail "want ENODATA, got: $out"

step "an image over the 64 MiB bound"
dmesg_mark
exec 3<>/dev/rust_vfat
out=$(dd if=/dev/zero bs=1048576 count=65 2>&1 >&3) && fail "writing 65 MiB succeeded"
exec 3<&-
echo "$out" | grep -q 'File too large' || fail "want EFBIG, got: $out"
dmesg_has 'rust_vfat: image rejected: larger than 67108864 bytes'

step "many openers at once, each with its own image"
must $F/rvfat parallel 16 $good
$F/rvfat list $good | grep -q ' OK 11$' || fail "good image not served at the end"
exit $status
