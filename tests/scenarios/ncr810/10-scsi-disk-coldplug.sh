# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img
# The hardware brings its driver, and the driver brings the disk: with a
# disk on the NCR 53C810 and nothing loaded, coldplug loads rust_ncr810,
# its bus scan finds the disk, coldplug of the SCSI device loads sd_mod,
# and /dev/sdX has the image's size and, read in full, its SHA-256 (both
# computed on the host from the image file).
. /vm/lib.sh
loaded rust_ncr810 && fail "rust_ncr810 loaded before coldplug"
loaded sd_mod && fail "sd_mod loaded before coldplug"
dmesg_mark
coldplug
loaded rust_ncr810 || fail "coldplug did not load rust_ncr810"
loaded sd_mod || fail "coldplug of the SCSI device did not load sd_mod"
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dmesg_has "scsi host$host: rust_ncr810"
dmesg_has "scsi $host:0:0:0: Direct-Access +QEMU +QEMU HARDDISK"
dev=$(scsi_disk "$host" 0) || fail "no block device for target 0"
echo "disk: $dev"
size=$(blockdev --getsize64 "$dev")
echo "size: $size bytes, image $(scsi_image_size 0)"
[ "$size" = "$(scsi_image_size 0)" ] || fail "$dev has $size bytes, the image $(scsi_image_size 0)"
sum=$(sha256sum <"$dev" | cut -c1-64)
echo "sha256: $sum"
check "$dev reads differently from the image (sha256 $sum)" [ "$sum" = "$(scsi_image_sha 0)" ]
# Only target 0 exists: the scan's selections of 1-6 timed out quietly.
check "the scan found targets that do not exist" [ "$(ls -d /sys/bus/scsi/devices/"$host":0:*:0 | wc -l)" = 1 ]
scenario_done
