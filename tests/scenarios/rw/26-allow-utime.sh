# harness: files=$TEST_DATA/rw/fat16.img $TEST_DATA/rwtool
# harness: no-ncr810
# allow_utime: who besides the owner may set a file's times to values of
# their choice (utimensat with times; "now" needs write access only). The
# group bit lets a member of the mount's gid, the other bit anyone; by
# default the bits the dmask leaves writable (fat_allow_set_time, the
# default from fs_dmask in parse_options). fs/fat as the oracle, each
# driver on its own copy of one image. rust_fat parsed and showed the
# option but never applied it: every caller but the owner got EPERM (a
# red-team pass).
. /vm/lib.sh
T=/vm/files/rwtool
mkdir -p /mnt/w
for fs in vfat rust_vfat msdos rust_msdos; do
	r=""
	for opts in gid=1000,umask=002 umask=0 umask=0,allow_utime=0 gid=1000,umask=0,allow_utime=2; do
		cp /vm/files/fat16.img /tmp/w.img
		losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
		must mount -t $fs -o $opts /dev/loop0 /mnt/w
		: >/mnt/w/f
		r="$r $opts:"
		# A member of the file's group (uid 1000 gid 1000), then anyone
		# else (2000); neither owns it (uid 0).
		for who in "1000 1000" "2000 2000"; do
			out=$($T as $who utimens /mnt/w/f 1000000000 0 1000000000 0)
			m=$($T times /mnt/w/f | cut -d' ' -f4)
			[ "$m" = 1000000000.000000000 ] && m=set || m=kept
			r="$r ${out:-ok} $m;"
			# Back to "now" for the next caller, as the owner.
			must touch /mnt/w/f
		done
		must umount /mnt/w
		losetup -d /dev/loop0
	done
	echo "$fs:$r" | tee /tmp/out.$fs
done
check_each_against_c /tmp/out
check_eq "vfat's outcome" "$(cut -d: -f2- /tmp/out.vfat)" " gid=1000,umask=002: ok set; utimensat: Operation not permitted kept; umask=0: ok set; ok set; umask=0,allow_utime=0: utimensat: Operation not permitted kept; utimensat: Operation not permitted kept; gid=1000,umask=0,allow_utime=2: utimensat: Operation not permitted kept; ok set;"
no_kernel_problems
scenario_done
