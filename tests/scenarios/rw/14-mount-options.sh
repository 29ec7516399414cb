# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rw/pattern $TEST_DATA/rwtool
# harness: no-ncr810
# harness: timeout=180
# The write-side mount options as fs/fat has them, C as the oracle, each
# driver on its own copy of one FAT16 image behind a loop device:
# - /proc/mounts shows the options as fat_show_options does (same text
#   for vfat/rust_vfat and msdos/rust_msdos), errors=panic included, ids
#   in any base kstrtouint takes, masks past the permission bits, and the
#   obsolete options C accepts and ignores; and FS_IOC_GETFLAGS and
#   FS_IOC_FSGETXATTR of the root report case folding as C's under each;
# - sys_immutable: a file with the system attribute is immutable, and
#   FS_IOC_GETFLAGS says so;
# - rodir: with it a directory's read-only attribute makes it read-only;
# - flush: closing a file written to starts its writeback at once (the
#   loop device's write counter moves before close returns + 2 s; without
#   flush it does not);
# - discard: deleting a file discards its clusters (the loop device's
#   discard counter, and the holes punched into the tmpfs file behind it:
#   the same number of sectors and blocks as C);
# - FITRIM (fstrim): the bytes trimmed as C reports them, for the whole
#   volume and for a range with a minimum length, EINVAL as C for a range
#   shorter than a cluster;
# - on a device that cannot discard (a loop device over a ramfs file:
#   ramfs cannot punch holes), discard gets C's warning at mount and
#   FITRIM fails with EOPNOTSUPP;
# - dos1xfloppy: a 160 KiB floppy without a BPB mounts with DOS 1.x
#   defaults (the same files as C), and is refused without the option
#   and on a device of another size (saying why).
. /vm/lib.sh
mkdir -p /mnt/w /t
img=/vm/files/fat16.img
# A tmpfs behind the loop devices: it punches holes for discards.
must mount -t tmpfs -o size=200m tmpfs /t

attach() { # copy-of-image -> prints the loop device
	local d
	d=$(losetup -f) || fail "no free loop device"
	losetup "$d" "$1" || fail "losetup $d $1 failed"
	echo "$d"
}
# Field $2 of /sys/block/<loop>/stat: 7 sectors written, 14 sectors
# discarded.
blkstat() { awk -v f="$2" '{ print $f }' "/sys/block/${1#/dev/}/stat"; }

step "/proc/mounts as fat_show_options"
for set in "vfat rust_vfat" "msdos rust_msdos"; do
	set -- $set
	for opt in "" "flush,discard,errors=continue,nfs" "errors=panic,uid=1,gid=2,umask=0,showexec,quiet,sys_immutable,usefree,tz=UTC" \
		"errors=remount-ro,fmask=0133,dmask=0022,allow_utime=20,time_offset=-90,dos1xfloppy" \
		"check=r,dots,nocase" "shortname=winnt,utf8,nonumtail" "shortname=lower,uni_xlate,iocharset=utf8" "shortname=win95,check=s" \
		"uid=0100,gid=0x3e8,umask=070000,conv=binary,fat=12,blocksize=512,cvf_format=none,cvf_options=x,posix" \
		"fmask=0177777,dmask=010022,rodir"; do
		case "$1:$opt" in
		msdos:*shortname* | vfat:*dots* | msdos:*rodir*) continue ;;
		esac
		for fs in "$@"; do
			cp $img /t/w.img
			d=$(attach /t/w.img)
			must mount -t $fs ${opt:+-o $opt} "$d" /mnt/w
			awk '$2 == "/mnt/w" { print $4 }' /proc/mounts >/tmp/opts.$fs
			/vm/files/rwtool fileattr /mnt/w >>/tmp/opts.$fs 2>&1
			must umount /mnt/w
			losetup -d "$d"
		done
		echo "$1 -o '${opt}': $(cat /tmp/opts.$1)"
		check_eq "$2 -o '$opt' in /proc/mounts" "$(cat /tmp/opts.$2)" "$(cat /tmp/opts.$1)"
	done
done

step "sys_immutable: a system file is immutable"
for fs in vfat rust_vfat msdos rust_msdos; do
	cp $img /t/w.img
	d=$(attach /t/w.img)
	must mount -t $fs "$d" /mnt/w
	echo s >/mnt/w/SYSTEM.TXT
	must /vm/files/rwtool setattr /mnt/w/SYSTEM.TXT 0x24
	must umount /mnt/w
	must mount -t $fs -o sys_immutable "$d" /mnt/w
	r="$(/vm/files/rwtool fileattr /mnt/w/SYSTEM.TXT 2>&1)"
	echo x 2>/dev/null >>/mnt/w/SYSTEM.TXT && r="$r, appended" || r="$r, not appended"
	must umount /mnt/w
	losetup -d "$d"
	echo "$fs: $r" | tee /tmp/immutable.$fs
done
check_eq "vfat's system file under sys_immutable" "$(cut -d: -f2 /tmp/immutable.vfat)" " flags 0x40000010 xflags 0x40008, not appended"
check_eq "rust_vfat's system file under sys_immutable" "$(cut -d: -f2 /tmp/immutable.rust_vfat)" "$(cut -d: -f2 /tmp/immutable.vfat)"
check_eq "rust_msdos's system file under sys_immutable" "$(cut -d: -f2 /tmp/immutable.rust_msdos)" "$(cut -d: -f2 /tmp/immutable.msdos)"

step "rodir: a directory's read-only attribute, with the option and without"
for fs in vfat rust_vfat; do
	cp $img /t/w.img
	d=$(attach /t/w.img)
	must mount -t $fs -o rodir "$d" /mnt/w
	mkdir /mnt/w/rodir /mnt/w/plain
	chmod 555 /mnt/w/rodir
	m="$(stat -c %a /mnt/w/rodir)"
	must umount /mnt/w
	must mount -t $fs -o rodir "$d" /mnt/w
	m="$m $(stat -c %a /mnt/w/rodir /mnt/w/plain | tr '\n' ' ')"
	must umount /mnt/w
	must mount -t $fs "$d" /mnt/w
	m="$m$(stat -c %a /mnt/w/rodir)"
	must umount /mnt/w
	losetup -d "$d"
	echo "$fs: $m" | tee /tmp/rodir.$fs
done
check_eq "rust_vfat's modes under rodir" "$(cut -d: -f2 /tmp/rodir.rust_vfat)" "$(cut -d: -f2 /tmp/rodir.vfat)"

step "flush: the data leaves at close"
for fs in vfat rust_vfat msdos rust_msdos; do
	for opt in flush ""; do
		cp $img /t/w.img
		d=$(attach /t/w.img)
		must mount -t $fs ${opt:+-o $opt} "$d" /mnt/w
		before=$(blkstat "$d" 7)
		dd if=/vm/files/pattern of=/mnt/w/FLUSHED.BIN bs=65536 count=1 2>/dev/null
		i=0
		while [ $i -lt 20 ] && [ $(($(blkstat "$d" 7) - before)) -lt 128 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		moved=$(($(blkstat "$d" 7) - before))
		if [ $moved -ge 128 ]; then r=written; else r=cached; fi
		echo "$fs ${opt:-(no flush)}: $moved sectors written after close"
		echo "${opt:-no-flush} $r" >>/tmp/flush.$fs
		# Unlinking frees the clusters at eviction, which flushes again
		# (fat_truncate_blocks).
		must rm /mnt/w/FLUSHED.BIN
		must umount /mnt/w
		losetup -d "$d"
	done
done
check_eq "vfat flush" "$(cat /tmp/flush.vfat | tr '\n' ' ')" "flush written no-flush cached "
check_eq "rust_vfat flush" "$(cat /tmp/flush.rust_vfat)" "$(cat /tmp/flush.vfat)"
check_eq "rust_msdos flush" "$(cat /tmp/flush.rust_msdos)" "$(cat /tmp/flush.msdos)"

step "discard: freed clusters are discarded"
for fs in vfat rust_vfat; do
	for opt in discard ""; do
		cp $img /t/w.img
		d=$(attach /t/w.img)
		must mount -t $fs ${opt:+-o $opt} "$d" /mnt/w
		for i in 1 2 3 4 5 6 7 8; do cat /vm/files/pattern; done >/mnt/w/DISCARD.BIN
		cp /vm/files/pattern /mnt/w/KEEP.BIN
		sync
		b0=$(stat -c %b /t/w.img)
		s0=$(blkstat "$d" 14)
		rm /mnt/w/DISCARD.BIN /mnt/w/big.bin
		sync
		echo "$fs ${opt:-(no discard)}: $(($(blkstat "$d" 14) - s0)) sectors discarded, $((b0 - $(stat -c %b /t/w.img))) blocks freed" |
			tee -a /tmp/discard.$fs
		must umount /mnt/w
		losetup -d "$d"
	done
done
check "vfat discarded nothing" grep -q "^vfat discard: [1-9]" /tmp/discard.vfat
check_eq "rust_vfat's discards" "$(cut -d: -f2 /tmp/discard.rust_vfat)" "$(cut -d: -f2 /tmp/discard.vfat)"

step "FITRIM: fstrim as C"
for fs in vfat rust_vfat; do
	cp $img /t/w.img
	d=$(attach /t/w.img)
	must mount -t $fs "$d" /mnt/w
	rm /mnt/w/big.bin
	sync
	for r in "" "-o 1048576 -l 4194304 -m 16384" "-o 0 -l 1024"; do
		# busybox fstrim -v: "<dir>: <n> bytes trimmed"
		# shellcheck disable=SC2086
		out=$(fstrim -v $r /mnt/w 2>&1) && st=0 || st=$?
		echo "fstrim ${r:-(all)}: exit $st: $out ($(stat -c %b /t/w.img) blocks)" | tee -a /tmp/trim.$fs
	done
	must umount /mnt/w
	losetup -d "$d"
done
check "vfat trimmed nothing" grep -q "(all): exit 0: /mnt/w: [1-9]" /tmp/trim.vfat
diff /tmp/trim.vfat /tmp/trim.rust_vfat || fail "rust_vfat's FITRIM differs from vfat's (- C, + Rust)"
count_check

step "dos1xfloppy: a 160 KiB DOS 1.x floppy"
# 320 sectors: boot sector (a jump, then zeros where a BPB would be), two
# 1-sector FATs (media 0xFE), 4 root directory sectors, data from sector
# 7; one file HELLO.TXT in cluster 2.
f=/t/dos1x.img
dd if=/dev/zero of=$f bs=512 count=320 2>/dev/null
printf '\353\376\220' | dd of=$f conv=notrunc 2>/dev/null
for s in 1 2; do printf '\376\377\377\377\017' | dd of=$f bs=512 seek=$s conv=notrunc 2>/dev/null; done
# HELLO   TXT, archive, cluster 2, 13 bytes.
printf 'HELLO   TXT\040' | dd of=$f bs=512 seek=3 conv=notrunc 2>/dev/null
printf '\002\000\015\000\000\000' | dd of=$f bs=1 seek=$((3 * 512 + 26)) conv=notrunc 2>/dev/null
printf 'hello, DOS 1\n' | dd of=$f bs=512 seek=7 conv=notrunc 2>/dev/null
for fs in vfat rust_vfat; do
	d=$(losetup -f)
	losetup -r "$d" $f
	dmesg_mark
	if mount -t $fs -o ro "$d" /mnt/w 2>/dev/null; then
		echo "$fs without dos1xfloppy: mounted" >>/tmp/dos1x.$fs
		umount /mnt/w
	else
		echo "$fs without dos1xfloppy: refused" >>/tmp/dos1x.$fs
	fi
	must mount -t $fs -o ro,dos1xfloppy "$d" /mnt/w
	echo "$fs: $(ls /mnt/w) $(cat /mnt/w/*) $(stat -f -c '%b %f %S' /mnt/w)" >>/tmp/dos1x.$fs
	dmesg_new | grep -q "This looks like a DOS 1.x volume; assuming default BPB values" &&
		echo "$fs: DOS 1.x line" >>/tmp/dos1x-log.$fs
	must umount /mnt/w
	losetup -d "$d"
	# The same boot sector on a device of another size.
	dd if=$f of=/t/odd.img bs=512 count=300 2>/dev/null
	d=$(losetup -f)
	losetup -r "$d" /t/odd.img
	dmesg_mark
	if mount -t $fs -o ro,dos1xfloppy "$d" /mnt/w 2>/dev/null; then
		echo "$fs 300 sectors: mounted" >>/tmp/dos1x.$fs
		umount /mnt/w
	else
		echo "$fs 300 sectors: refused" >>/tmp/dos1x.$fs
	fi
	dmesg_new | grep -q "isn't a recognized floppy size (300 sectors)" && echo "$fs: size line" >>/tmp/dos1x-log.$fs
	losetup -d "$d"
	sed "s/^$fs/FS/" /tmp/dos1x.$fs >/tmp/dos1x.$fs.n
	cat /tmp/dos1x.$fs
done
check "vfat did not mount the DOS 1.x floppy" grep -q "FS: HELLO.TXT hello, DOS 1" /tmp/dos1x.vfat.n
diff /tmp/dos1x.vfat.n /tmp/dos1x.rust_vfat.n || fail "rust_vfat's dos1xfloppy differs from vfat's (- C, + Rust)"
count_check
# C says why only to a mount without MS_SILENT (busybox's mount sets it);
# rust_vfat says it always, as for every volume it refuses.
check_eq "rust_vfat's DOS 1.x lines" "$(cat /tmp/dos1x-log.rust_vfat 2>/dev/null | tr '\n' ' ')" "rust_vfat: DOS 1.x line rust_vfat: size line "

step "discard on a device that cannot discard"
mkdir -p /r
must mount -t ramfs ramfs /r
cp $img /r/w.img
for fs in vfat rust_vfat; do
	d=$(attach /r/w.img)
	check_eq "$d's discard_max_bytes" "$(cat /sys/block/${d#/dev/}/queue/discard_max_bytes)" 0
	dmesg_mark
	must mount -t $fs -o discard "$d" /mnt/w
	n=$(dmesg_new | grep -c 'mounting with "discard" option, but the device does not support discard')
	rm /mnt/w/big.bin
	out=$(fstrim -v /mnt/w 2>&1) && st=0 || st=$?
	must umount /mnt/w
	losetup -d "$d"
	echo "$n warning line(s); fstrim: exit $st: $out" | tee /tmp/nodiscard.$fs
done
check_eq "vfat's warning and fstrim" "$(cat /tmp/nodiscard.vfat)" "1 warning line(s); fstrim: exit 1: fstrim: FITRIM: Operation not supported"
check_eq "rust_vfat's warning and fstrim" "$(cat /tmp/nodiscard.rust_vfat)" "$(cat /tmp/nodiscard.vfat)"

no_kernel_problems
scenario_done
