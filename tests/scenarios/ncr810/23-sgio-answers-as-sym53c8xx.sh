# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img + $TEST_DATA/scsi/random-16m.img
# harness: files=$TEST_DATA/sgio
# harness: timeout=180
# SG_IO as any program that may open a disk sends it, answered by
# rust_ncr810 and by the kernel's sym53c8xx: two NCR 53C810s, each with a
# copy of one disk image, the first bound to rust_ncr810, the second to
# sym53c8xx. Every CDB below goes to both disks; status, host and driver
# bytes, residual, sense and the bytes read must be the same. Among them:
# INQUIRY with every allocation length from 0 to 4096 and its VPD pages,
# READ CAPACITY (10, 16), MODE SENSE (6, 10), REQUEST SENSE, REPORT
# LUNS, READs of 0 to 256 blocks and past the end, unknown opcodes and
# reserved bits, and commands whose buffer is shorter or longer than the
# CDB asks or goes the wrong way. The one difference is documented
# (docs/differences-from-c.md): a command that fails with DID_ERROR in its
# data phase has sym53c8xx's count of drained or filler bytes as a
# negative residual, and the whole buffer as residual on rust_ncr810; for
# those only the residual is left out of the comparison. No probe may
# reset anything, and the blocks written read back alike.
. /vm/lib.sh
S=/vm/files/sgio
coldplug
set -- $(ncr810_devices)
[ $# = 2 ] || fail "want two NCR 53C810s, found $#"
cpci=$2
echo "$cpci" >/sys/bus/pci/drivers/rust_ncr810/unbind
echo sym53c8xx >/sys/bus/pci/devices/$cpci/driver_override
must modprobe sym53c8xx
[ -e /sys/bus/pci/drivers/sym53c8xx/$cpci ] || echo "$cpci" >/sys/bus/pci/drivers_probe
rhost=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
chost=$(scsi_host_of sym53c8xx "$cpci") || fail "no SCSI host of sym53c8xx"
r=$(scsi_disk "$rhost" 0) || fail "rust_ncr810: no disk at target 0"
c=$(scsi_disk "$chost" 0) || fail "sym53c8xx: no disk at target 0"
# No flush through the C driver at power-off (ncr810/15 says why).
echo "temporary write through" >/sys/class/scsi_disk/$chost:0:0:0/cache_type ||
	fail "cannot set sd's cache type of $chost:0:0:0"
echo "rust_ncr810: $r, sym53c8xx: $c"
# Both disks' first command after the bring-up: their UNIT ATTENTIONs.
scsi_take_unit_attentions $r $c

same=0
# Sends one CDB to both disks and compares the answers.
# Usage: probe read|write LEN CDB...
probe() {
	_dir=$1
	shift
	_o=--data
	[ "${DATA:-}" = no ] && _o=
	_a=$($S $_o $_dir "$r" "$@" 2>&1)
	_b=$($S $_o $_dir "$c" "$@" 2>&1)
	case "$_a|$_b" in
	*"host 7 "*"|"*"host 7 "*)
		# DID_ERROR on both: the residual is the documented difference.
		_a=$(echo "$_a" | sed 's/ resid -*[0-9]*//')
		_b=$(echo "$_b" | sed 's/ resid -*[0-9]*//')
		;;
	esac
	if [ "$_a" = "$_b" ]; then
		same=$((same + 1))
	else
		echo "differs: $_dir $*: rust_ncr810 [$_a] sym53c8xx [$_b]"
		echo "$_dir $*" >>/tmp/differ
	fi
}
rm -f /tmp/differ
dmesg_mark

step "INQUIRY, capacity, mode and sense pages"
probe read 0 00 00 00 00 00 00
probe read 512 00 00 00 00 00 00
for n in 0 1 5 35 36 37 96 255 4096; do probe read $n 12 00 00 00 24 00; done
for n in 0 1 7 255 4096; do probe read $n 12 00 00 00 ff 00; done
for page in 00 80 b0 b1 b2 c0; do probe read 252 12 01 $page 00 fc 00; done
# Device identification names each disk (QEMU's device path): the same
# status, length and residual, other bytes.
DATA=no probe read 252 12 01 83 00 fc 00
probe read 36 12 02 00 00 24 00
probe read 8 25 00 00 00 00 00 00 00 00 00
probe read 4 25 00 00 00 00 00 00 00 00 00
probe read 32 9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00
probe read 252 1a 00 3f 00 fc 00
probe read 252 1a 08 08 00 fc 00
probe read 252 5a 00 3f 00 00 00 00 00 fc 00
probe read 252 03 00 00 00 fc 00
probe read 1024 a0 00 00 00 00 00 00 00 04 00 00 00

step "READs: lengths, the end of the disk, the wrong buffer"
probe read 512 28 00 00 00 00 00 00 00 01 00
probe read 256 28 00 00 00 00 00 00 00 01 00
probe read 4096 28 00 00 00 00 00 00 00 01 00
probe read 4096 28 00 00 00 00 00 00 00 08 00
probe read 65536 28 00 00 00 01 00 00 00 80 00
probe read 131072 08 00 00 00 00 00
probe read 0 28 00 00 00 00 00 00 00 00 00
probe read 512 28 00 00 00 80 00 00 00 01 00
probe read 512 28 00 00 00 7f ff 00 00 01 00
probe read 1024 28 00 00 00 7f ff 00 00 02 00
probe read 512 88 00 00 00 00 00 00 00 80 00 00 00 00 01 00 00
probe read 512 a8 00 00 00 00 10 00 00 00 01 00 00
probe read 512 28 e0 00 00 00 00 00 00 01 00
probe read 512 28 00 00 00 00 00 00 00 01 ff
probe write 512 28 00 00 00 15 00 00 00 01 00

step "unknown and odd commands"
probe read 512 ff 00 00 00 00 00
probe read 512 3c 02 00 00 00 00 00 02 00 00
# SYNCHRONIZE CACHE goes to rust_ncr810 alone: it disconnects in QEMU's
# model, and on that a UBSAN-enabled sym53c8xx (Debian's) reports an
# array-index-out-of-bounds in sym_evaluate_dp() (ncr810/15): no C answer.
check_eq "SYNCHRONIZE CACHE through rust_ncr810" "$($S read "$r" 0 35 00 00 00 00 00 00 00 00 00)" \
	"status 0 host 0 driver 0 resid 0"
probe read 0 2f 00 00 00 00 00 00 00 01 00
probe read 0 1b 00 00 00 01 00
probe read 0 1e 00 00 00 00 00
probe write 512 00 00 00 00 00 00

step "WRITEs, and what they left"
block14() { $S --data read "$r" 512 28 00 00 00 14 00 00 00 01 00; }
before=$(block14)
probe write 512 2a 00 00 00 10 00 00 00 01 00
probe write 1024 2a 00 00 00 12 00 00 00 01 00
probe write 4096 2a 00 00 00 20 00 00 00 08 00
# A WRITE whose buffer goes the wrong way: DID_ERROR on both, and
# sym53c8xx writes its filler to the block; rust_ncr810 writes nothing.
probe read 512 2a 00 00 00 14 00 00 00 01 00
check_eq "block 0x14 through rust_ncr810 after the WRITE that failed" "$(block14)" "$before"
for lba in 10 12 20 27; do probe read 512 28 00 00 00 $lba 00 00 00 01 00; done

echo "$same probes answered alike"
[ -e /tmp/differ ] && fail "$(wc -l </tmp/differ) probe(s) answered differently: $(tr '\n' ';' </tmp/differ)"
check "fewer than 60 probes were compared ($same)" [ "$same" -ge 60 ]
dmesg_new | grep -E 'rust_ncr810|sym0|reset|timing out' | sed 's/^/  /'
dmesg_new | grep -qE 'rust_ncr810 .*reset|Power-on or device reset|timing out' &&
	fail "a probe led to a reset or a time-out"
no_kernel_problems
scenario_done
