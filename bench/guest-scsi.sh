# The in-VM half of the SCSI benchmark: rust_ncr810 and the kernel's C
# sym53c8xx side by side in one boot, on two NCR 53C810s (bench/run.sh
# attaches two copies of one 64 MiB disk image, one per controller, and
# boots this script once per round). The first controller goes to
# rust_ncr810, the second to sym53c8xx (driver_override, set before either
# module loads). Prints BENCH lines.
. /vm/lib.sh
F=/vm/files
# The round's number, the C driver's name in the BENCH keys (c, or c_qd1
# for a round with its queue depth at 1), and sym53c8xx's parameters.
read -r round cname cparams <$F/round
RUNS=3 RANDREADS=2000 SEED=1 RANDRW=4000 QD=16

set -- $(ncr810_devices)
[ $# = 2 ] || fail "expected two NCR 53C810s, found $#"
rpci=$1 cpci=$2
echo rust_ncr810 >/sys/bus/pci/devices/$rpci/driver_override
echo sym53c8xx >/sys/bus/pci/devices/$cpci/driver_override

# The midlayer and sd are shared: loaded first, outside the measure.
must modprobe scsi_mod
must modprobe sd_mod

# Loads driver $2 (with parameters $4) and waits for the disk at target 0
# of its host on PCI device $3: prints the block device, and the elapsed
# time as a BENCH line under $1 (modprobe's own dependencies,
# scsi_transport_spi for the C driver, count).
probe() {
	t0=$($F/rvbench now)
	modprobe "$2" $4 || fail "modprobe $2 $4 failed"
	# The host exists once modprobe returns (the probe adds it).
	_h=$(scsi_host_of "$2" "$3") || fail "$2: no SCSI host"
	_d=$(scsi_disk "$_h" 0) || fail "$2: no disk at target 0 after 10 s"
	t1=$($F/rvbench now)
	echo "BENCH scsi_probe.$1.run$round.ns $((t1 - t0))" >&2
	echo "$_d"
}

step "modprobe to disk ready: rust_ncr810 on $rpci, then sym53c8xx on $cpci"
rustdev=$(probe rust rust_ncr810 $rpci 2>/tmp/probe) || fail "rust_ncr810 probe failed"
cdev=$(probe $cname sym53c8xx $cpci "$cparams" 2>>/tmp/probe) || fail "sym53c8xx probe failed"
cat /tmp/probe
echo "rust_ncr810: $rustdev (queue depth $(cat /sys/block/${rustdev#/dev/}/device/queue_depth)), sym53c8xx: $cdev (queue depth $(cat /sys/block/${cdev#/dev/}/device/queue_depth))"
size=$(blockdev --getsize64 "$rustdev")
[ "$size" = "$(blockdev --getsize64 "$cdev")" ] || fail "the two disks differ in size"

if [ "$round" = 1 ]; then
	step "core sizes the kernel reports"
	for m in rust_ncr810 sym53c8xx scsi_transport_spi; do
		echo "BENCH core_size.$m $(awk -v m=$m '$1 == m { print $2 }' /proc/modules)"
	done
fi

DRIVERS="rust $cname"
# Runs measure $1 ($2 says what) $RUNS times on each driver's disk,
# interleaved: rvbench MEASURE KEY DISK ARGS..., the keys numbered
# round*10+i (one key per run across the rounds). The order within a pair
# alternates with the run and the round (ABBA): measured on the write,
# with rust_ncr810 always first it came out 0.91 and 0.93 of sym53c8xx,
# with sym53c8xx first 1.03, whichever controller each drove
# (docs/rust_ncr810.md); the second run of a pair has an edge.
each_driver() {
	_m=$1 _what=$2
	shift 2
	step "$_what, $RUNS runs, interleaved (the order alternating)"
	for i in $(seq $RUNS); do
		_order=$DRIVERS
		[ $(((round + i) % 2)) = 1 ] && _order=$(echo $DRIVERS | awk '{ print $2, $1 }')
		for d in $_order; do
			[ $d = rust ] && dev=$rustdev || dev=$cdev
			$F/rvbench $_m scsi_$d.run$round$i "$dev" "$@" || fail "$_m of $dev failed"
		done
	done
}
each_driver seqread "sequential O_DIRECT read of the whole disk ($size bytes)" direct
each_driver randread "$RANDREADS random 4 KiB O_DIRECT reads (seed $SEED)" $RANDREADS $SEED direct
each_driver seqwrite "sequential O_DIRECT write of the whole disk" "$size" direct
each_driver randrw "$RANDRW random 4 KiB O_DIRECT reads and writes at queue depth $QD (seed $SEED)" \
	$RANDRW $SEED $QD direct

step "the two disks hold the same bytes"
r=$(dd if="$rustdev" bs=1M iflag=direct 2>/dev/null | sha256sum)
c=$(dd if="$cdev" bs=1M iflag=direct 2>/dev/null | sha256sum)
[ "$r" = "$c" ] || fail "the disks differ after the same writes"
exit 0
