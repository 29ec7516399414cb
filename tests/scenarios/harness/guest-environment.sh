# harness: files=$TEST_DATA/images/fat12-basic.img
# The guest runs the real kmod tools, has the project's modules installed
# with depmod, and has the default NCR 53C810 attached; a user's script
# mounts an image file as on a distribution.
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
step "mount -o loop: an image file mounted with busybox's mount, each driver"
# busybox keeps the loop device open for writing across mount(2): a
# kernel without CONFIG_BLK_DEV_WRITE_MOUNTED refuses that with EBUSY,
# every file system alike (a distribution's kernel has the option).
cp /vm/files/fat12-basic.img /tmp/loop.img
mkdir -p /mnt/l
for fs in rust_vfat rust_msdos vfat; do
	mount -t $fs -o loop /tmp/loop.img /mnt/l || fail "mount -t $fs -o loop failed: $(dmesg | tail -n 1)"
	echo "$fs" >/mnt/l/LOOPED.TXT || fail "$fs: writing through the loop mount failed"
	must umount /mnt/l
	must mount -t $fs -o loop,ro /tmp/loop.img /mnt/l
	check "$fs: the file written before the remount reads back" grep -qx "$fs" /mnt/l/LOOPED.TXT
	must umount /mnt/l
done
# The loop devices were set up with autoclear: none is left bound.
check "a loop device stayed bound after umount: $(losetup -a)" [ -z "$(losetup -a)" ]
step "dosfstools and sg3-utils, the host's, run in the guest"
must fsck.fat -n /tmp/loop.img
must mkfs.fat -C -n GUEST /tmp/made.img 2048
must mount -t rust_vfat -o loop,ro /tmp/made.img /mnt/l
check "rust_vfat: the volume mkfs.fat made in the guest is not mounted" grep -q ' /mnt/l rust_vfat ' /proc/mounts
must umount /mnt/l
check "sg3-utils' sg_inq does not run" sg_inq -V
scenario_done
