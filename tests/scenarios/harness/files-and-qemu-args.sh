# harness: files=kernel/config.fragment
# harness: qemu-args=-device lsi53c810
# FILES= land in /vm/files/; QEMU_ARGS= reach QEMU (a second controller).
. /vm/lib.sh
[ -f /vm/files/config.fragment ] || fail "FILES did not reach /vm/files"
grep -q '^CONFIG_RUST=y' /vm/files/config.fragment || fail "file content differs"
[ "$VM_FILES" = /vm/files ] || fail "VM_FILES is '$VM_FILES', not /vm/files"
# The earlier names of the guest directory still reach the same files.
[ "$BENCH_FILES" = /vm/files ] || fail "BENCH_FILES is '$BENCH_FILES', not /vm/files"
cmp /bench/files/config.fragment /vm/files/config.fragment || fail "/bench/files is not /vm/files"
n=$(grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent | wc -l)
[ "$n" = 2 ] || fail "expected 2 NCR 53C810 with the extra QEMU argument, found $n"
exit 0
