# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool
# harness: qemu-args=-smp 2
# harness: timeout=120
# FIBMAP walks a file's cluster chain while truncation may cut it: fs/fat
# holds truncation off with its truncate_lock, rust_fat with the mapping's
# invalidate lock (swapon calls ->bmap with i_rwsem held, so the inode's
# own lock cannot serve). The volume's free space is first cut into 200
# single clusters (200 pairs of one-cluster files, a file filling the
# rest, every second file of the pairs removed), so that the file raced
# on is 128 clusters apart and every walk reads the FAT at each one. For
# 1 s, on two CPUs, one thread maps every block of that file while
# another truncates it to 0 and writes it back to 256 KiB (rwtool
# fibmaprace). A walk that meets a chain being freed reads free clusters
# as the chain's next ones: damage, an error line and the volume
# read-only. Each driver must end with every call succeeded, no error
# line, the mount still writable and the file's bytes intact. vfat first,
# as the control. (The window the lock closes is narrow: a walk that read
# the chain's start just before a truncation cut it. Runs without the
# lock, about 1,000 walks of the file against 300 truncations a second,
# did not meet it; what this shows is FIBMAP and truncation side by side
# without damage.)
. /vm/lib.sh
F=/vm/files
mkdir -p /mnt/t
for fs in vfat rust_vfat; do
	step "$fs"
	cp $F/fat16.img /tmp/t.img
	losetup /dev/loop0 /tmp/t.img
	must mount -t $fs /dev/loop0 /mnt/t
	mkdir /mnt/t/pairs
	# One cluster of text, written by the shell's printf: 400 runs of cat
	# cost about 4 s of emulated CPU.
	cluster=$(printf '%02048d' 0)
	i=0
	while [ $i -lt 200 ]; do
		printf '%s' "$cluster" >/mnt/t/pairs/a$i
		printf '%s' "$cluster" >/mnt/t/pairs/b$i
		i=$((i + 1))
	done
	check_eq "$fs: a pair's file size" "$(stat -c %s /mnt/t/pairs/a199)" 2048
	dd if=/dev/zero of=/mnt/t/FILL bs=1M 2>/dev/null
	rm /mnt/t/pairs/b*
	echo "$fs: $(df -k /mnt/t | tail -1 | awk '{ print $4 }') KiB free"
	dmesg_mark
	out=$($F/rwtool fibmaprace /mnt/t/RACE.BIN 1) || fail "$fs: $out"
	echo "$fs: $out"
	check "$fs: an error line during the race: $(dmesg_new | grep -iE 'fat|error' | head -3)" \
		[ -z "$(dmesg_new | grep -iE 'fat|error')" ]
	check "$fs: the mount is no longer writable" touch /mnt/t/AFTER.TXT
	map=$($F/rwtool fibmap /mnt/t/RACE.BIN 512)
	set -- $map
	check "$fs: the file raced on is not in pieces (blocks $2 to ${513:-})" [ "${513:-0}" != $(($2 + 511)) ]
	size=$(stat -c %s /mnt/t/RACE.BIN)
	check "$fs: the file is neither empty nor 256 KiB ($size bytes)" [ "$size" = 0 -o "$size" = 262144 ]
	check "$fs: the file holds other bytes" [ -z "$(tr -d f </mnt/t/RACE.BIN | head -c 1)" ]
	must umount /mnt/t
	losetup -d /dev/loop0
done
no_kernel_problems
scenario_done
