# harness: scsi-disks=$TEST_DATA/scsi/blank-64m.img
# harness: scsi-image-check
# harness: files=$TEST_DATA/rvbench
# Writes through rust_ncr810: a pattern written with O_DIRECT in blocks of
# several sizes (one sector to 1 MiB, so commands of 1 to 256 segments and
# split ones), then read back after dropping the caches, with O_DIRECT and
# through the page cache; after the VM has powered off, the harness finds
# the pattern, and zeros past it, in the image file on the host. First,
# in the pattern's place, O_DIRECT through 512-byte iovecs with a gap
# between every two (the driver's page-sized virtual boundary makes the
# block layer split them) and 1 MiB from a buffer at page offset 512,
# each read back right (rvbench scatter).
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
# MiB per block size: 1 in make check (2,048 one-sector commands already
# cross every segment count), 6 in make soak.
per=$(reps 1 6)
total=$((4 * per))
step "O_DIRECT through gapped 512-byte iovecs and from page offset 512"
read -r _ _ _ _ w0 _ </sys/block/${dev#/dev/}/stat
/vm/files/rvbench scatter "$dev" 0 || fail "rvbench scatter: what was written did not read back"
read -r _ _ _ _ w1 _ </sys/block/${dev#/dev/}/stat
echo "$((w1 - w0)) write requests for 4 x 128 KiB of gapped iovecs and 1 MiB"
check "the gapped iovecs were not split ($((w1 - w0)) write requests)" [ $((w1 - w0)) -gt 8 ]
dd if=/dev/urandom of=/tmp/pattern bs=1M count=$total 2>/dev/null
want=$(sha256sum </tmp/pattern | cut -c1-64)
off=0
for bs in 512 4096 65536 1048576; do
	step "write $per MiB in $bs-byte blocks at MiB $off"
	must dd if=/tmp/pattern of="$dev" bs=$bs skip=$((off * 1048576 / bs)) seek=$((off * 1048576 / bs)) \
		count=$((per * 1048576 / bs)) oflag=direct conv=notrunc
	off=$((off + per))
done
sync
echo 3 >/proc/sys/vm/drop_caches
got=$(dd if="$dev" bs=1M count=$total iflag=direct 2>/dev/null | sha256sum | cut -c1-64)
check "O_DIRECT read back differs: $got, wrote $want" [ "$got" = "$want" ]
echo 3 >/proc/sys/vm/drop_caches
got=$(dd if="$dev" bs=1M count=$total 2>/dev/null | sha256sum | cut -c1-64)
check "cached read back differs: $got, wrote $want" [ "$got" = "$want" ]
echo "$total MiB written and read back equal ($want)"
size=$(blockdev --getsize64 "$dev")
# The rest of the disk is still zero: read back here in make soak; the
# host checks the image in both tiers.
if [ -e /vm/soak ]; then
	z=$(dd if="$dev" bs=1M skip=$total iflag=direct 2>/dev/null | tr -d '\0' | wc -c)
	check "$z non-zero bytes past the pattern" [ "$z" = 0 ]
fi
scsi_image_expect 0 0 0 $((total << 20)) "$want"
scsi_image_expect 0 0 $((total << 20)) $((size - (total << 20))) zero
scenario_done
