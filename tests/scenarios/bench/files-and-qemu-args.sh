# bench: files=kernel/config.fragment
# bench: qemu-args=-device lsi53c810
# FILES= land in /bench/files/; QEMU_ARGS= reach QEMU (a second controller).
. /bench/lib.sh
[ -f /bench/files/config.fragment ] || fail "FILES did not reach /bench/files"
grep -q '^CONFIG_RUST=y' /bench/files/config.fragment || fail "file content differs"
n=$(grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent | wc -l)
[ "$n" = 2 ] || fail "expected 2 NCR 53C810 with the extra QEMU argument, found $n"
exit 0
