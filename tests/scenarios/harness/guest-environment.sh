# The guest runs the real kmod tools, has the project's modules installed
# with depmod, and has the default NCR 53C810 attached.
. /vm/lib.sh
step "kmod's tools, not busybox's applets"
modprobe --version | grep -q '^kmod version' || fail "modprobe is not kmod's"
insmod --version 2>&1 | grep -q 'kmod' || fail "insmod is not kmod's"
step "project modules installed under /lib/modules/$(uname -r) with depmod"
d=/lib/modules/$(uname -r)
# A distribution's modules_install compresses them (.ko.xz on Debian).
grep -Eq 'rust_vfat\.ko(\.(xz|zst|gz))?: .*rust_fat\.ko' $d/modules.dep || fail "modules.dep lacks rust_vfat's dependency"
check "no modules.dep.bin: depmod did not run" [ -f $d/modules.dep.bin ]
modinfo -n rust_vfat | grep -q "^$d/" || fail "modinfo cannot find rust_vfat"
step "the kernel's own FAT modules are modules"
modinfo -n vfat | grep -q 'fs/fat/vfat.ko' || fail "vfat is not a module"
step "NCR 53C810 present by default"
check "no 1000:0001 device" grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent
scenario_done
