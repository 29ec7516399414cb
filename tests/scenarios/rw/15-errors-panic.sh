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
errors_panic_at_broken_chain rust_vfat
