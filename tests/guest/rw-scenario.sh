# SPDX-License-Identifier: GPL-2.0
# The body of the rw/ workload scenarios, sourced after rw-workload.sh with
# RW_FS (the C type, then the Rust one), RW_NAMES and RW_OPTS set: disks
# 0/1, 2/3, ... behind rust_ncr810 are identical copies of the images
# RW_KINDS names (default: FAT12, FAT16 and FAT32); the workload runs on
# the C driver on the first of each pair and on the Rust one on the
# second, from the same clock. RW_RUN, if set, names the kinds this tier
# runs (the scenario's `reps`): the others' disks stay as they were, so
# the host finds each of those pairs equal.
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
mkdir -p /mnt/w
status=0
set -- $RW_FS
c_fs=$1 r_fs=$2
n=0
for kind in ${RW_KINDS:-fat12 fat16 fat32}; do
	case " ${RW_RUN:-$kind} " in
	*" $kind "*) ;;
	*)
		echo "$kind: in make soak only"
		n=$((n + 2))
		continue
		;;
	esac
	for fs in $c_fs $r_fs; do
		dev=$(scsi_disk "$host" $n) || fail "no disk at target $n"
		step "$kind on $fs ($dev)"
		# The same clock for both runs: the times they write agree to
		# the minute mdir shows.
		date -s "2024-03-05 10:20:00" >/dev/null
		must mount -t $fs ${RW_OPTS:+-o $RW_OPTS} "$dev" /mnt/w
		rw_workload /mnt/w $RW_NAMES /tmp/$kind.$fs.log
		# A few batched commands, not three per file: every fork costs
		# milliseconds of CPU under TCG.
		(cd /mnt/w && {
			find . -type d -exec stat -c '%n dir %a %h' {} +
			find . ! -type d -exec stat -c '%n file %s %a' {} +
			find . -type f -exec sha256sum {} + | cut -c1-16,65-
		} | sort) >/tmp/$kind.$fs.tree
		echo "statfs free $(stat -f -c %f /mnt/w)" >>/tmp/$kind.$fs.tree
		must umount /mnt/w
		n=$((n + 1))
	done
	cat /tmp/$kind.$c_fs.log
	for what in tree log; do
		if cmp -s /tmp/$kind.$c_fs.$what /tmp/$kind.$r_fs.$what; then
			echo "$kind: the same $what on both ($(wc -l </tmp/$kind.$c_fs.$what) lines)"
			count_check
		else
			echo "MISMATCH $kind: $r_fs's $what differs from $c_fs's (- C, + Rust):"
			diff /tmp/$kind.$c_fs.$what /tmp/$kind.$r_fs.$what
			status=1
		fi
	done
done
check "a run differed from the C driver's (the MISMATCH lines above)" [ $status = 0 ]
no_kernel_problems
scenario_done
