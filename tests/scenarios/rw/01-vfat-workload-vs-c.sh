# harness: scsi-disks=$TEST_DATA/rw/fat12.img $TEST_DATA/rw/fat12.img $TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat16.img $TEST_DATA/rw/fat32.img $TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern $TEST_DATA/rwtool tests/guest/rw-workload.sh tests/guest/rw-scenario.sh
# harness: host-check=scripts/compare-fat-images.sh
# harness: timeout=300
# The C driver as the oracle: one workload (tests/guest/rw-workload.sh:
# writes at offsets, appends across clusters, a write past the end,
# truncates down and up, O_DIRECT, creates, mkdir, rmdir of a full and an
# empty directory, renames within and across directories and over a
# file, unlinks, one of an open file, long names with numeric tails, names
# outside the BMP, a directory growing past a cluster) runs on vfat and on
# rust_vfat, each on its own copy of one image (FAT12, FAT16, FAT32:
# disks 0/1, 2/3, 4/5 behind rust_ncr810), from the same clock. In the
# guest both must read back the same and fail the same operations; after
# power-off the host compares each pair of images with mtools (tree, 8.3
# and long names, sizes, times, attributes, free space, contents) and
# runs fsck.fat -n on each (scripts/compare-fat-images.sh).
. /vm/lib.sh
. /vm/files/rw-workload.sh
RW_FS="vfat rust_vfat" RW_NAMES=long RW_OPTS=utf8
# make check runs some of the kinds (every FAT type is in one of rw/01
# and rw/02), make soak all of them.
RW_RUN=$(reps "fat12 fat32" "fat12 fat16 fat32")
. /vm/files/rw-scenario.sh
