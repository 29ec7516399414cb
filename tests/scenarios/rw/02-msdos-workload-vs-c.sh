# harness: scsi-disks=$TEST_DATA/rw/fat12.img $TEST_DATA/rw/fat12.img $TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool tests/guest/rw-workload.sh tests/guest/rw-scenario.sh
# harness: host-check=scripts/compare-fat-images.sh
# harness: timeout=300
# rw/01 for msdos against rust_msdos: the same workload with 8.3 names
# (msdos_format_name's rules: a longer name is cut; with dots, a leading
# dot is the hidden attribute), on FAT12, FAT16 and FAT32, compared in
# the guest and, after power-off, on the host with mtools and fsck.fat -n.
. /vm/lib.sh
. /vm/files/rw-workload.sh
RW_FS="msdos rust_msdos" RW_NAMES=short RW_OPTS=dots
# make check runs some of the kinds (every FAT type is in one of rw/01
# and rw/02), make soak all of them.
RW_RUN=$(reps fat16 "fat12 fat16 fat32")
. /vm/files/rw-scenario.sh
