# harness: scsi-disks=$TEST_DATA/scsi/random-16m.img $TEST_DATA/scsi/blank-64m.img
# harness: files=$TEST_DATA/sgio
# harness: timeout=240
# No collateral damage: a write through SG_IO, sent by uid 1000 to the disk
# at target 0, that supplies less data than its CDB asks for, or data in
# the wrong direction, or none, fails that command alone. rust_ncr810 sends
# the target ABORT instead of resetting the chip and the bus, so the disk
# at target 1 on the same bus sees no UNIT ATTENTION 06/29/00 ("Power-on or
# device reset") on its next command, and nothing is written to target 0.
# The same probes then go through sym53c8xx on the same disks: each gets
# the host status rust_ncr810 gave it, and target 1 no UNIT ATTENTION.
. /vm/lib.sh
S=/vm/files/sgio
coldplug
pci=$(ncr810_devices)
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
d0=$(scsi_disk "$host" 0) || fail "no disk at target 0"
d1=$(scsi_disk "$host" 1) || fail "no disk at target 1"

# WRITE(10) of 8 blocks at LBA 256.
W="2a 00 00 00 01 00 00 00 08 00"
# probe NAME MODE LEN: sends $W that way and prints the result.
PROBES="short:write:512 wrong-direction:read:4096 no-data:read:0 short-by-one:write:4095"

# run_probes DRIVER DISK0 DISK1: each probe on DISK0, then a TEST UNIT
# READY on DISK1; "NAME RESULT" lines on stdout.
run_probes() {
	chmod o+rw "$2"
	for p in $PROBES; do
		name=${p%%:*}
		rest=${p#*:}
		mode=${rest%%:*}
		len=${rest#*:}
		# shellcheck disable=SC2086
		r=$($S --as 1000 "$mode" "$2" "$len" $W) || fail "$1: SG_IO $name failed"
		# shellcheck disable=SC2086
		t=$($S read "$3" 0 00 00 00 00 00 00) || fail "$1: SG_IO TEST UNIT READY failed"
		echo "$name $r | TUR on the other disk: $t"
	done
}

step "settle: TEST UNIT READY until both disks are quiet"
scsi_take_unit_attentions "$d0" "$d1"

step "short and misdirected writes through rust_ncr810 to $d0"
dmesg_mark
rust=$(run_probes rust_ncr810 "$d0" "$d1")
echo "$rust" | sed 's/^/  /'
dmesg_new | grep -E 'rust_ncr810|reset|Power-on|abort' | sed 's/^/  /'
echo "$rust" | while read -r name r; do
	case $r in "status 0 host 7 "*) ;; *) fail "rust_ncr810: $name did not fail with DID_ERROR alone: $r" ;; esac
	case $r in *"TUR on the other disk: status 0 host 0 driver 0 resid 0") ;;
	*) fail "rust_ncr810: after $name the other disk on the bus saw: ${r#*| }" ;; esac
done || exit 1
dmesg_new | grep -qiE 'reset' && fail "a short write reset the chip or the bus"
check "$d0 changed: an aborted write reached the medium" \
	[ "$(sha256sum <"$d0" | cut -c1-64)" = "$(scsi_image_sha 0)" ]
r=$($S read "$d0" 36 12 00 00 00 24 00) || fail "SG_IO INQUIRY failed"
check "an INQUIRY to $d0 failed after the probes: $r" [ "$r" = "status 0 host 0 driver 0 resid 0" ]

step "the same probes through sym53c8xx"
echo "$pci" >/sys/bus/pci/drivers/rust_ncr810/unbind
echo sym53c8xx >/sys/bus/pci/devices/$pci/driver_override
must modprobe sym53c8xx
[ -e /sys/bus/pci/drivers/sym53c8xx/$pci ] || echo "$pci" >/sys/bus/pci/drivers_probe
readlink /sys/bus/pci/devices/$pci/driver | grep -q '/sym53c8xx$' || fail "sym53c8xx did not bind"
chost=$(scsi_host_of sym53c8xx "$pci") || fail "no SCSI host of sym53c8xx"
c0=$(scsi_disk "$chost" 0) || fail "sym53c8xx: no disk at target 0"
c1=$(scsi_disk "$chost" 1) || fail "sym53c8xx: no disk at target 1"
for t in 0 1; do
	# As in 15-scsi-c-twin.sh: no SYNCHRONIZE CACHE through the C driver
	# at power-off.
	echo "temporary write through" >/sys/class/scsi_disk/$chost:0:$t:0/cache_type ||
		fail "cannot set sd's cache type of $chost:0:$t:0"
done
scsi_take_unit_attentions "$c0" "$c1"
dmesg_mark
sym=$(run_probes sym53c8xx "$c0" "$c1")
echo "$sym" | sed 's/^/  /'
dmesg_new | grep -E 'sym0|reset|Power-on|abort' | sed 's/^/  /'
changed=no
[ "$(sha256sum <"$c0" | cut -c1-64)" = "$(scsi_image_sha 0)" ] || changed=yes
echo "  sym53c8xx: target 0 changed by the probes: $changed"
# Same host status, probe by probe, and no UNIT ATTENTION after either.
for p in $PROBES; do
	name=${p%%:*}
	hr=$(echo "$rust" | awk -v n="$name" '$1 == n { print $3, $4, $5 }')
	hs=$(echo "$sym" | awk -v n="$name" '$1 == n { print $3, $4, $5 }')
	check "$name: rust_ncr810 gives '$hr', sym53c8xx '$hs'" [ "$hr" = "$hs" ]
done
echo "$sym" | while read -r name r; do
	case $r in *"TUR on the other disk: status 0 host 0 driver 0 resid 0") ;;
	*) fail "sym53c8xx: after $name the other disk on the bus saw: ${r#*| }" ;; esac
done || exit 1
scenario_done
