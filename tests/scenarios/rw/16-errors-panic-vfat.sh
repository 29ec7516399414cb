# harness: files=$TEST_DATA/bad/file-chain-hits-free-cluster.img
# harness: no-ncr810
# harness: expect=panic:FAT-fs (loop0): fs panic from previous error
# errors=panic on the C vfat, the oracle of rw/15-errors-panic.sh: the
# option is shown in /proc/mounts, and the first structural error panics
# the kernel, on a read-only mount too.
. /vm/lib.sh
fs=vfat
mkdir -p /mnt/w
losetup -r /dev/loop0 /vm/files/file-chain-hits-free-cluster.img || fail "losetup failed"
must mount -t $fs -o ro,errors=panic /dev/loop0 /mnt/w
check "errors=panic is not in /proc/mounts" grep -q "^/dev/loop0 /mnt/w $fs ro,.*errors=panic" /proc/mounts
# The kernel panics here.
cat "/mnt/w/Long file name with spaces.txt" >/dev/null 2>&1
fail "$fs did not panic at the broken chain"
