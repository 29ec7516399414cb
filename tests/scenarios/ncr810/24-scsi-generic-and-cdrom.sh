# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img
# harness: qemu-args=-drive if=none,id=cd,file=$TEST_DATA/scsi/random-16m.img,format=raw,readonly=on -device scsi-cd,bus=ncr0.0,scsi-id=1,drive=cd
# harness: files=$TEST_DATA/sgio
# Not only disks: a CD-ROM drive (QEMU's scsi-cd, 2048-byte blocks) on
# the same bus gets sr, and sg gives every device a generic node, as
# udev's "kmod load sg" does on a distribution. The CD holds the disk's
# image: both read the same bytes, through sd and sr and through SG_IO on
# their /dev/sg nodes, which answer INQUIRY as their block devices do. A
# /dev/sg node held open keeps rust_ncr810 loaded (rmmod refused: sg
# holds the device, the device its host's module); closed, rmmod takes
# the nodes with it.
. /vm/lib.sh
S=/vm/files/sgio
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
disk=$(scsi_disk "$host" 0) || fail "no disk at target 0"
cd=$(scsi_disk "$host" 1) || fail "no block device for the CD at target 1 (sr)"
case $cd in /dev/sr*) ;; *) fail "the CD at target 1 is $cd, not an sr device" ;; esac
check_eq "type of target 1" "$(cat /sys/bus/scsi/devices/$host:0:1:0/type)" 5
sha=$(scsi_image_sha 0)

step "$disk and the CD $cd read the same image"
check "$disk reads differently from its image" [ "$(sha256sum <"$disk" | cut -c1-64)" = "$sha" ]
check_eq "$cd block size" "$(blockdev --getss "$cd")" 2048
check "$cd reads differently from the image" [ "$(sha256sum <"$cd" | cut -c1-64)" = "$sha" ]

step "sg: a generic node for each device"
modprobe sg || fail "modprobe sg failed"
# The sg node of target $1.
sg_of() {
	for _g in /sys/bus/scsi/devices/$host:0:$1:0/scsi_generic/sg*; do
		[ -e "$_g" ] && echo "/dev/$(basename "$_g")" && return 0
	done
	return 1
}
sgd=$(sg_of 0) || fail "no sg node for target 0"
sgc=$(sg_of 1) || fail "no sg node for target 1"
echo "target 0: $disk $sgd; target 1: $cd $sgc"
INQ="12 00 00 00 60 00"
for t in "$disk $sgd" "$cd $sgc"; do
	set -- $t
	a=$($S --data read "$1" 96 $INQ) || fail "SG_IO INQUIRY through $1 failed"
	b=$($S --data read "$2" 96 $INQ) || fail "SG_IO INQUIRY through $2 failed"
	echo "INQUIRY through $1: $a"
	check "INQUIRY through $2 answers differently from $1: $b" [ "$a" = "$b" ]
	check "INQUIRY through $2 did not complete: $b" [ "${b%% data*}" = "status 0 host 0 driver 0 resid 0" ]
done
# READ(10) of the CD's block 3 (2048 bytes) through its sg node, against
# the same block read through sr.
r=$($S --data read "$sgc" 2048 28 00 00 00 00 03 00 00 01 00) || fail "SG_IO READ(10) through $sgc failed"
want=$($S --data read "$cd" 2048 28 00 00 00 00 03 00 00 01 00) || fail "SG_IO READ(10) through $cd failed"
echo "READ(10) of block 3 through $sgc: $r"
check "READ(10) through $sgc differs from $cd: $r / $want" [ "$r" = "$want" ]

step "an open sg node keeps rust_ncr810 loaded"
exec 3<"$sgd"
must_fail rmmod rust_ncr810
loaded rust_ncr810 || fail "rust_ncr810 went away with $sgd open"
a=$($S read "$sgd" 36 12 00 00 00 24 00) || fail "SG_IO through the open $sgd failed after the refused rmmod"
check_eq "INQUIRY through $sgd after the refused rmmod" "$a" "status 0 host 0 driver 0 resid 0"
exec 3<&-
must rmmod rust_ncr810
check "$sgd outlived rmmod" [ ! -e "/sys/class/scsi_generic/${sgd#/dev/}" ]
check "$sgc outlived rmmod" [ ! -e "/sys/class/scsi_generic/${sgc#/dev/}" ]
no_kernel_problems
scenario_done
