# harness: files=$TEST_DATA/blank/fat32-48m.img $TEST_DATA/fatstress
# harness: memory=1024
# harness: timeout=300
# A FAT32 volume the kernel's own C vfat fills in the guest: a directory of
# 500 long-named entries (the benchmark has 10,000: the C driver's
# creates scan the directory, quadratic under TCG; 200 in make check), a
# 32 MiB file (8 MiB in make check), two files written interleaved
# (so their cluster chains are fragmented), names outside the BMP. Mounted
# with rust_vfat and with the C vfat (-o ro,utf8): the same tree in readdir
# order, stat and contents; through rust_vfat, mmap and sendfile give the
# same bytes as read; the large file equals what was written.
. /vm/lib.sh
F=/vm/files
img=$F/fat32-48m.img
mkdir -p /mnt/r /mnt/c
step "the C vfat writes the volume"
loop_mount $img /mnt/c utf8
mkdir /mnt/c/big
E=$(reps 200 500)
i=0
while [ $i -lt $E ]; do
	: >"/mnt/c/big/a long file name, number $i.txt"
	i=$((i + 1))
done
# 8 MiB (16,384 clusters of 512 bytes) in make check; 32 MiB in make soak.
# The file is hashed six times in all (SHA-256 in both snapshots, read,
# mmap and sendfile through rust_vfat, the original), at about 80 ms of
# TCG CPU per MiB each.
B=$(reps 8 32)
dd if=/dev/urandom of=/tmp/big.bin bs=1048576 count=$B 2>/dev/null
cp /tmp/big.bin /mnt/c/big.bin
i=0
while [ $i -lt 100 ]; do
	head -c 3000 /dev/urandom >>/mnt/c/interleaved-a.bin
	head -c 5000 /dev/urandom >>/mnt/c/interleaved-b.bin
	i=$((i + 1))
done
echo smile >"/mnt/c/smile 😀 face.txt"
loop_umount /mnt/c
step "rust_vfat and the C vfat show the same volume"
mount_pair $img rust_vfat vfat utf8 || fail "mount -t rust_vfat failed"
# First, while nothing of the volume is in the dentry cache: a lookup by
# another case reaches the directories on disk (once a name is cached,
# d_compare matches it without case whatever the lookup does).
for m in /mnt/c /mnt/r; do
	check "$m: lookup by another case on a fresh mount failed" [ -f "$m/BIG/A LONG FILE NAME, NUMBER $((E - 1)).TXT" ]
done
fs_snapshot /mnt/r /tmp/rust.txt
fs_snapshot /mnt/c /tmp/c.txt
wc -l </tmp/rust.txt
cmp -s /tmp/c.txt /tmp/rust.txt || { diff /tmp/c.txt /tmp/rust.txt | head; fail "rust_vfat and vfat differ"; }
step "the interleaved files are fragmented"
$F/fatstress sums /mnt/r/big.bin /mnt/r/interleaved-a.bin /mnt/r/interleaved-b.bin | tee /tmp/sums
awk '$2 != $3 || $2 != $4 { bad = 1 } END { exit bad }' /tmp/sums || fail "read, mmap and sendfile disagree"
written=$($F/fatstress sums /tmp/big.bin | awk '{ print $2 }')
check "the $B MiB file read through rust_vfat differs from what was written" [ "$(awk 'NR == 1 { print $2 }' /tmp/sums)" = "$written" ]
step "the $E-entry directory: every entry listed, a lookup by another case"
n=$(ls /mnt/r/big | wc -l)
check "rust_vfat lists $n entries in big/, want $E" [ "$n" = $E ]
check "lookup by another case failed" [ -e "/mnt/r/big/A LONG FILE NAME, NUMBER $((E - 1)).TXT" ]
umount_pair
scenario_done
