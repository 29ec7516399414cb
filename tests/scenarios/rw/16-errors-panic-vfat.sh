# harness: files=$TEST_DATA/bad/file-chain-hits-free-cluster.img
# harness: no-ncr810
# harness: expect=panic:FAT-fs (loop0): fs panic from previous error
# errors=panic on the C vfat, the oracle of rw/15-errors-panic.sh: the
# option is shown in /proc/mounts, and the first structural error panics
# the kernel, on a read-only mount too.
. /vm/lib.sh
errors_panic_at_broken_chain vfat
