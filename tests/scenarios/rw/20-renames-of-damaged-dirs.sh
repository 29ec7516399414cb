# harness: files=$TEST_DATA/bad/dir-without-dotdot.img $TEST_DATA/rwtool
# harness: no-ncr810
# A rename that moves a directory to another parent must find its '..'
# first, as vfat_rename, rename exchange and msdos' rename do: a directory
# without one is refused with EIO before anything changes, and without a
# report (the mount stays read-write). rust_fat used to add the new record
# first and fail on '..' afterwards, leaving the directory under both
# names (a red-team pass: removing one then freed the other's clusters).
# Each driver on its own copy of the image, with errors=continue and the
# default; the copy is read back by the C driver.
. /vm/lib.sh
T=/vm/files/rwtool
mkdir -p /mnt/w
tree() { # the tree and the files' hashes, as the C driver reads IMAGE
	losetup -r /dev/loop1 "$1" || fail "losetup $1 failed"
	must mount -t vfat -o ro /dev/loop1 /mnt/w
	(cd /mnt/w && find . | sort && find . -type f -exec sha256sum {} + | cut -c1-12,65- | sort) | tr '\n' ' '
	umount /mnt/w
	losetup -d /dev/loop1
}
for op in move exchange; do
	for opt in errors=continue errors=remount-ro; do
		for fs in vfat rust_vfat msdos rust_msdos; do
			cp /vm/files/dir-without-dotdot.img /tmp/w.img
			losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
			must mount -t $fs -o $opt /dev/loop0 /mnt/w
			if [ $op = move ]; then
				mv /mnt/w/docs/sub /mnt/w/emptydir/ 2>/dev/null && r=ok || r=EIO
			else
				$T exchange /mnt/w/docs/sub /mnt/w/emptydir >/dev/null 2>&1 && r=ok || r=EIO
			fi
			m=$(awk '$2 == "/mnt/w" { split($4, o, ","); print o[1] }' /proc/mounts)
			must umount /mnt/w
			losetup -d /dev/loop0
			echo "$op -o $opt: $r, mount $m; C reads back: $(tree /tmp/w.img)" >/tmp/ren.$fs
			echo "$fs $(cut -d';' -f1 /tmp/ren.$fs)"
		done
		for pair in "vfat rust_vfat" "msdos rust_msdos"; do
			set -- $pair
			check_eq "$2: $op -o $opt" "$(cat /tmp/ren.$2)" "$(cat /tmp/ren.$1)"
		done
	done
done
no_kernel_problems
scenario_done
