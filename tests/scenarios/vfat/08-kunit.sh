# bench: kunit=rust_fat_format,rust_vfat_lfn
# The KUnit suites inside both modules run at load.
. /bench/lib.sh
must modprobe rust_vfat
print_ktap rust_fat_format
print_ktap rust_vfat_lfn
exit 0
