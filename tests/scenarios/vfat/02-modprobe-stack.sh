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
check "rust_vfat not in /proc/filesystems" grep -qw rust_vfat /proc/filesystems
step "taints: O (out of tree); E too where the kernel has module signing (these modules are unsigned)"
flags=$(grep '^rust_fat ' /proc/modules | sed -n 's/.*(\([A-Z]*\))$/\1/p')
taint=$(cat /proc/sys/kernel/tainted)
echo "rust_fat's taint flags: ${flags:-none}; /proc/sys/kernel/tainted: $taint"
case $flags in *O*) ;; *) fail "rust_fat does not show the O taint in /proc/modules" ;; esac
check "taint O (4096) not set in /proc/sys/kernel/tainted" [ $((taint & 4096)) != 0 ]
if [ -e /sys/module/module/parameters/sig_enforce ]; then
	echo "module signing: on, enforced: $(cat /sys/module/module/parameters/sig_enforce)"
	case $flags in *E*) ;; *) fail "the kernel has module signing, but rust_fat does not show the E taint" ;; esac
	check "taint E (8192) not set in /proc/sys/kernel/tainted" [ $((taint & 8192)) != 0 ]
	dmesg | grep -E 'module verification failed: signature and/or required key missing - tainting kernel' ||
		fail "no 'module verification failed' line in the kernel log"
else
	echo "module signing: not built in"
	case $flags in *E*) fail "rust_fat shows the E taint on a kernel without module signing" ;; esac
	check "taint E (8192) set on a kernel without module signing" [ $((taint & 8192)) = 0 ]
fi
step "a second namespace layer on the same core"
must modprobe rust_msdos
lsmod | grep -E '^rust_fat\s+[0-9]+\s+2\s+rust_msdos,rust_vfat$' || fail "lsmod does not show rust_fat used by rust_msdos,rust_vfat"
check "rust_msdos not in /proc/filesystems" grep -w 'rust_msdos' /proc/filesystems
scenario_done
