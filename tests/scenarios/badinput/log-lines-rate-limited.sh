# harness: files=$TEST_DATA/bad
# Lines that user input can trigger are rate-limited per mount, as fs/fat's
# (at most 10 in 5 s): 100 reads past the end of a file's cluster chain
# (its size says 10 clusters) each fail with EIO and meet the damage anew,
# and dmesg gets one burst of lines, not 100.
. /vm/lib.sh
mkdir -p /mnt/r
losetup -r /dev/loop0 /vm/files/bad/file-size-past-its-chain.img || fail "losetup failed"
must mount -t rust_vfat /dev/loop0 /mnt/r
victim=/mnt/r/README.TXT
check "README.TXT is not the damaged file the image should have" [ "$(stat -c %s $victim)" -gt 4096 ]
dmesg_mark
read -r start _ </proc/uptime
failed=0
i=0
while [ $i -lt 100 ]; do
	dd if="$victim" of=/dev/null bs=4096 skip=1 count=1 2>/dev/null || failed=$((failed + 1))
	i=$((i + 1))
done
read -r end _ </proc/uptime
lines=$(dmesg_new | grep -c 'rust_vfat (loop0): ')
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%d", b - a }')
echo "100 reads in about ${seconds}s: $failed failed, $lines dmesg line(s)"
check "$failed of 100 reads failed, want all (EIO)" [ "$failed" = 100 ]
check "no dmesg line for the damage" [ "$lines" -ge 1 ]
# One burst of 10 per started 5 s window.
limit=$((10 * (seconds / 5 + 1)))
check "$lines lines for 100 failures in ${seconds}s, want at most $limit" [ "$lines" -le "$limit" ]
must umount /mnt/r
losetup -d /dev/loop0
scenario_done
