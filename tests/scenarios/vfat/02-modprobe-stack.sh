# modprobe resolves the stack from depmod's list: rust_fat first.
. /bench/lib.sh
step "modinfo shows the dependency"
modinfo rust_vfat | grep -E '^depends:\s+rust_fat$' || fail "modinfo rust_vfat: no 'depends: rust_fat'"
modinfo rust_vfat | grep -E '^alias:\s+char-major-10-243$' || fail "no char-major-10-243 alias"
dmesg_mark
must modprobe rust_vfat
step "rust_fat loaded before rust_vfat"
dmesg_new | grep -E 'rust_(v?fat): loaded' | head -2 | tee /tmp/order
head -1 /tmp/order | grep -q 'rust_fat:' || fail "rust_fat did not load first"
step "lsmod: rust_fat used by rust_vfat"
lsmod | grep -E '^rust_fat\s+[0-9]+\s+1\s+rust_vfat$' || fail "lsmod does not show rust_fat used by rust_vfat"
grep '^rust_fat ' /proc/modules | grep -q ' 1 rust_vfat,' || fail "/proc/modules does not show the use"
[ -c /dev/rust_vfat ] || fail "/dev/rust_vfat missing"
exit 0
