# harness: files=kernel/config.fragment
# harness: qemu-args=-device lsi53c810
# FILES= land in /vm/files/; QEMU_ARGS= reach QEMU (a second controller).
. /vm/lib.sh
check "FILES did not reach /vm/files" [ -f /vm/files/config.fragment ]
check "file content differs" grep -q '^CONFIG_RUST=y' /vm/files/config.fragment
check "VM_FILES is '$VM_FILES', not /vm/files" [ "$VM_FILES" = /vm/files ]
# The earlier names of the guest directory still reach the same files.
check "BENCH_FILES is '$BENCH_FILES', not /vm/files" [ "$BENCH_FILES" = /vm/files ]
cmp /bench/files/config.fragment /vm/files/config.fragment || fail "/bench/files is not /vm/files"
n=$(grep -l 'PCI_ID=1000:0001' /sys/bus/pci/devices/*/uevent | wc -l)
check "expected 2 NCR 53C810 with the extra QEMU argument, found $n" [ "$n" = 2 ]
scenario_done
