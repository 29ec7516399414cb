# harness: files=$TEST_DATA/bad/file-chain-hits-free-cluster.img
# harness: no-ncr810
# harness: expect=panic:rust_vfat (loop0): fs panic from previous error
# errors=panic as fs/fat: the option is accepted and shown in /proc/mounts,
# and the first structural error (a read that meets a broken cluster
# chain) panics the kernel, on a read-only mount too (__fat_fs_error).
# The outcome the harness expects is that panic, with fs/fat's words
# (the file system's name in place of "FAT-fs"); the same on vfat:
# rw/16-errors-panic-vfat.sh.
. /vm/lib.sh
fs=rust_vfat
mkdir -p /mnt/w
losetup -r /dev/loop0 /vm/files/file-chain-hits-free-cluster.img || fail "losetup failed"
must mount -t $fs -o ro,errors=panic /dev/loop0 /mnt/w
check "errors=panic is not in /proc/mounts" grep -q "^/dev/loop0 /mnt/w $fs ro,.*errors=panic" /proc/mounts
# The kernel panics here.
cat "/mnt/w/Long file name with spaces.txt" >/dev/null 2>&1
fail "$fs did not panic at the broken chain"
