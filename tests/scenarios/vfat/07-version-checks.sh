# harness: files=$TEST_DATA/variants
# The kernel checks versions at load: a consumer built against another
# exporter ABI is refused by modversions CRC, a module whose vermagic names
# another kernel is refused unless forced (which taints), and a module whose
# CRC for a kernel symbol is wrong is refused. On a kernel without
# CONFIG_MODVERSIONS the two CRC parts report SKIP; vermagic still holds.
. /vm/lib.sh
V=/vm/files/variants
vfat=$(modinfo -n rust_vfat)

if kernel_has_modversions; then
	step "rust_vfat against an exporter with a different ABI"
	must insmod $V/abi/rust_fat.ko
	dmesg_mark
	must_fail insmod "$vfat"
	dmesg_has 'rust_vfat: disagrees about version of symbol _R[^ ]*(rust_fat_core|fat_disk)'
	dmesg_has 'rust_vfat: Unknown symbol _R[^ ]* \(err -22\)'
	loaded rust_vfat && fail "rust_vfat loaded against the wrong ABI"
	must rmmod rust_fat
else
	skip_part abi-crc "the kernel has no CONFIG_MODVERSIONS: no CRC tells an exporter's changed ABI apart, only the symbol names are matched"
fi
step "the matching pair loads"
must modprobe rust_vfat
must modprobe -r rust_vfat

step "vermagic of another kernel"
dmesg_mark
must_fail insmod $V/vermagic/rust_fat.ko
echo "$OUT" | grep -q 'Invalid module format' || fail "insmod did not say 'Invalid module format'"
# Without modversions both strings lack that word; a distribution's
# release names more than 7.3.N.
dmesg_has "rust_fat: version magic '7\.3\.[0-9][^ ']* SMP preempt (modversions )?' should be '7\.3\.[0-9][^ ']* SMP preempt mod_unload (modversions )?'"
loaded rust_fat && fail "rust_fat loaded with a foreign vermagic"
step "forced load of the same module taints the kernel F"
t0=$(cat /proc/sys/kernel/tainted)
check "kernel already tainted F" [ $((t0 & 2)) = 0 ]
dmesg_mark
must insmod -f $V/vermagic/rust_fat.ko
dmesg_has 'rust_fat: .*kernel tainted'
t1=$(cat /proc/sys/kernel/tainted)
echo "tainted: $t0 -> $t1"
check "taint F (2) not set after the forced load" [ $((t1 & 2)) = 2 ]
grep '^rust_fat ' /proc/modules
grep '^rust_fat ' /proc/modules | grep -Eq '\([A-Z]*F[A-Z]*\)$' || fail "/proc/modules does not show the F taint for rust_fat"
must rmmod rust_fat

if kernel_has_modversions; then
	step "wrong CRC for a kernel symbol"
	dmesg_mark
	must_fail insmod $V/badcrc/rust_fat.ko
	sym=$(cat $V/badcrc/symbol)
	dmesg_has "rust_fat: disagrees about version of symbol $sym\$"
	loaded rust_fat && fail "rust_fat loaded with a wrong CRC"
else
	skip_part kernel-symbol-crc "the kernel has no CONFIG_MODVERSIONS: modules carry no CRCs of the kernel's symbols"
fi
scenario_done
