# harness: files=$TEST_DATA/images/fat12-basic.img
# harness: no-ncr810
# vfat compares names through the I/O character set's NLS table: with
# iocharset=utf8, whose table folds no case, lookups and creates are case
# sensitive (fs/fat warns so at mount), where the utf8 option alone keeps
# iso8859-1's folding, and check=s compares bytes. rust_vfat used to fold
# case under iocharset=utf8 (a red-team pass): a create of another case
# replaced the existing file instead of making a second one. Each option
# set on each driver, on its own copy of one image: lookups of names in
# other cases, then a create in another case and the directory's count.
. /vm/lib.sh
mkdir -p /mnt/w
for opt in iocharset=utf8 utf8 utf8,iocharset=utf8 check=s iocharset=iso8859-1; do
	for fs in vfat rust_vfat; do
		cp /vm/files/fat12-basic.img /tmp/w.img
		losetup /dev/loop0 /tmp/w.img || fail "losetup failed"
		dmesg_mark
		must mount -t $fs -o $opt /dev/loop0 /mnt/w
		out=""
		for n in README.TXT readme.txt "Long file name with spaces.txt" "LONG FILE NAME WITH SPACES.TXT" \
			LONGFI~1.TXT longfi~1.txt MiXeD.TxT mixed.txt; do
			[ -e "/mnt/w/$n" ] && out="$out $n:found" || out="$out $n:absent"
		done
		echo new >"/mnt/w/LONG FILE NAME WITH SPACES.TXT"
		out="$out; after a create in capitals: $(ls /mnt/w | wc -l) names"
		w=$(dmesg_new | grep -c 'filesystem will be case sensitive')
		out="$out; case-sensitivity warnings: $w"
		must umount /mnt/w
		losetup -d /dev/loop0
		echo "$fs -o $opt:$out" | tee /tmp/case.$fs
	done
	check_eq "rust_vfat -o $opt against vfat" "$(cut -d: -f2- /tmp/case.rust_vfat)" "$(cut -d: -f2- /tmp/case.vfat)"
done
no_kernel_problems
scenario_done
