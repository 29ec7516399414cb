# harness: scsi-disks=$TEST_DATA/rw/fat32.img
# harness: files=$TEST_DATA/rw/pattern
# harness: qemu-args=-smp 2
# harness: host-check=scripts/compare-fat-images.sh --fsck
# harness: timeout=300
# Four writers at once on two CPUs, each in its own directory and all in
# one shared directory (creates, appends, renames within and across
# directories, truncates, unlinks): the FAT lock, the volume's namespace
# lock and the directories' locks keep the volume consistent. Afterwards
# every file holds what its writer wrote, vfat sees the same tree after
# the unmount, and the volume passes fsck.fat -n on the host.
. /vm/lib.sh
coldplug
host=$(ncr810_scsi_host) || fail "no SCSI host of rust_ncr810"
dev=$(scsi_disk "$host" 0) || fail "no disk at target 0"
mkdir -p /mnt/w
p=/vm/files/pattern
N=$(reps 50 500)
must mount -t rust_vfat "$dev" /mnt/w
mkdir /mnt/w/shared

writer() { # id
	d="/mnt/w/writer $1"
	mkdir "$d" || return 1
	i=0
	while [ $i -lt $N ]; do
		len=$(((i * 997 + $1 * 131) % 9000 + 1))
		head -c $len $p >"$d/new $i.bin" || return 1
		head -c 3000 $p >>"$d/new $i.bin" || return 1
		mv "$d/new $i.bin" "$d/file $i.bin" || return 1
		if [ $((i % 3)) = 1 ]; then
			mv "$d/file $i.bin" "/mnt/w/shared/w$1 $i.bin" || return 1
		elif [ $((i % 4)) = 2 ]; then
			rm "$d/file $i.bin" || return 1
		elif [ $((i % 5)) = 3 ]; then
			truncate -s $((len / 2)) "$d/file $i.bin" || return 1
		fi
		i=$((i + 1))
	done
	echo "writer $1 done"
}

# What writer $1's file $i holds.
expect() {
	len=$((($2 * 997 + $1 * 131) % 9000 + 1))
	{ head -c $len $p; head -c 3000 $p; } >/tmp/exp
	if [ $(($2 % 5)) = 3 ] && [ $(($2 % 4)) != 2 ] && [ $(($2 % 3)) != 1 ]; then
		head -c $((len / 2)) /tmp/exp >/tmp/exp2 && mv /tmp/exp2 /tmp/exp
	fi
}

step "four writers, $N rounds each"
for w in 1 2 3 4; do writer $w >/tmp/writer$w.log 2>&1 & done
wait
for w in 1 2 3 4; do
	cat /tmp/writer$w.log
	check "writer $w failed" grep -q "writer $w done" /tmp/writer$w.log
done

step "every file holds what its writer wrote"
bad=0 files=0
for w in 1 2 3 4; do
	i=0
	while [ $i -lt $N ]; do
		if [ $((i % 3)) = 1 ]; then f="/mnt/w/shared/w$w $i.bin"; else f="/mnt/w/writer $w/file $i.bin"; fi
		if [ $((i % 4)) = 2 ] && [ $((i % 3)) != 1 ]; then
			[ -e "$f" ] && { echo "$f should be gone"; bad=$((bad + 1)); }
		else
			expect $w $i
			files=$((files + 1))
			cmp -s /tmp/exp "$f" || { echo "$f differs"; bad=$((bad + 1)); }
		fi
		i=$((i + 1))
	done
done
echo "$files files checked"
check_eq "files that differ or should be gone" $bad 0
(cd /mnt/w && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/rust.sums
must umount /mnt/w
must mount -t vfat -o ro "$dev" /mnt/w
(cd /mnt/w && find . -type f -exec sha256sum {} + | sort -k2) >/tmp/c.sums
must umount /mnt/w
check "vfat sees another tree after the unmount" cmp /tmp/rust.sums /tmp/c.sums
# The five files of the image besides.
check_eq "files vfat sees" "$(wc -l </tmp/c.sums)" $((files + 5))
no_kernel_problems
scenario_done
