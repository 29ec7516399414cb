# modprobe resolves the stack from depmod's list: rust_fat first.
. /vm/lib.sh
step "modinfo shows the dependency"
modinfo rust_vfat | grep -E '^depends:\s+rust_fat$' || fail "modinfo rust_vfat: no 'depends: rust_fat'"
modinfo rust_vfat | grep -E '^alias:\s+fs-rust_vfat$' || fail "no fs-rust_vfat alias"
modinfo rust_msdos | grep -E '^depends:\s+rust_fat$' || fail "modinfo rust_msdos: no 'depends: rust_fat'"
dmesg_mark
must modprobe rust_vfat
step "rust_fat loaded before rust_vfat"
dmesg_new | grep -E 'rust_(v?fat): loaded' | head -2 | tee /tmp/order
head -1 /tmp/order | grep -q 'rust_fat:' || fail "rust_fat did not load first"
step "lsmod: rust_fat used by rust_vfat"
lsmod | grep -E '^rust_fat\s+[0-9]+\s+1\s+rust_vfat$' || fail "lsmod does not show rust_fat used by rust_vfat"
grep '^rust_fat ' /proc/modules | grep -q ' 1 rust_vfat,' || fail "/proc/modules does not show the use"
grep -qw rust_vfat /proc/filesystems || fail "rust_vfat not in /proc/filesystems"
step "a second namespace layer on the same core"
must modprobe rust_msdos
lsmod | grep -E '^rust_fat\s+[0-9]+\s+2\s+rust_msdos,rust_vfat$' || fail "lsmod does not show rust_fat used by rust_msdos,rust_vfat"
grep -w 'rust_msdos' /proc/filesystems || fail "rust_msdos not in /proc/filesystems"
exit 0
