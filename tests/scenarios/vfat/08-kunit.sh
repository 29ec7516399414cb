# harness: kunit=rust_fat_format,rust_vfat_names,rust_msdos_names
# The KUnit suites inside the three modules run at load.
. /vm/lib.sh
must modprobe rust_vfat
must modprobe rust_msdos
print_ktap rust_fat_format
print_ktap rust_vfat_names
print_ktap rust_msdos_names
scenario_done
