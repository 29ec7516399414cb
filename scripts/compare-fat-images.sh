#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host half of the write scenarios (harness: host-check=): the guest
# ran one workload on the C driver and on the Rust one, each on its own
# copy of one image; after power-off this compares the pairs of images it
# is given (C image, Rust image, C image, Rust image, ...): both must pass
# fsck.fat -n (no dirty flag, no lost clusters, FSInfo right), and show the
# same tree with mtools (mdir -/ -a: short and long names, sizes, dates and
# times, free space; mattrib: attributes) and the same file contents
# (mcopy of the whole tree). Prints what differs; exits 1 if anything does.
# With --fsck IMAGE...: only fsck.fat -n on each image.
# FAT_COMPARE_MINUTES_SLACK=N (default 0): entries whose mdir lines differ
# only in a time at most N minutes apart count as the same. The debug
# kernel (make check-debug) sets 1: both runs start from the same clock,
# but under KASAN a workload takes a minute or more, and where the Rust
# run was a few seconds slower a late write's time crossed the minute.
set -euo pipefail
export MTOOLS_SKIP_CHECK=1
if [ "${1:-}" = --fsck ]; then
	shift
	[ $# -ge 1 ] || { echo "usage: $0 --fsck IMAGE..." >&2; exit 2; }
	status=0
	for img in "$@"; do
		if out=$(fsck.fat -n "$img" 2>&1); then
			echo "$(basename "$img"): fsck-clean: $(echo "$out" | tail -1)"
		else
			echo "$(basename "$img"): fsck.fat -n found problems:"
			echo "$out" | sed 's/^/  /' | head -20
			status=1
		fi
	done
	exit $status
fi
[ $# -ge 2 ] && [ $(($# % 2)) = 0 ] || { echo "usage: $0 C-IMAGE RUST-IMAGE [C-IMAGE RUST-IMAGE ...]" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
pair=0
while [ $# -ge 2 ]; do
	c=$1 r=$2
	shift 2
	pair=$((pair + 1))
	for side in c r; do
		img=${!side}
		if ! fsck.fat -n "$img" >"$tmp/fsck.$side" 2>&1; then
			echo "pair $pair: fsck.fat -n found problems on the $side image ($img):"
			sed 's/^/  /' "$tmp/fsck.$side" | head -20
			status=1
		fi
		mdir -/ -a -i "$img" :: >"$tmp/mdir.$side" 2>&1 || echo "mdir failed" >>"$tmp/mdir.$side"
		# Once ~1 to ~9 are taken, fs/fat (and rust_vfat, as it) makes
		# the alias from the clock: two characters of the name, four hex
		# digits of jiffies, "~" and a digit from jiffies too
		# (vfat_create_shortname). Two runs never agree on those six, so
		# they are compared as a shape.
		sed -i -E 's/^([^ ~]{0,2})[0-9A-F]{4}~[1-8]( |$)/\1####~#\2/' "$tmp/mdir.$side"
		mattrib -/ -i "$img" :: >"$tmp/attr.$side" 2>&1 || echo "mattrib failed" >>"$tmp/attr.$side"
		mkdir -p "$tmp/files.$side"
		mcopy -s -n -m -i "$img" '::*' "$tmp/files.$side/" 2>/dev/null || true
	done
	if [ "${FAT_COMPARE_MINUTES_SLACK:-0}" != 0 ] && ! cmp -s "$tmp/mdir.c" "$tmp/mdir.r"; then
		python3 - "$tmp/mdir.c" "$tmp/mdir.r" "$FAT_COMPARE_MINUTES_SLACK" <<'PY'
import datetime, re, sys
stamp = re.compile(r'(\d{4}-\d\d-\d\d) +([ \d]?\d):(\d\d)')
c, r = (open(f).read().splitlines() for f in sys.argv[1:3])
slack = int(sys.argv[3])
def when(m):
    return datetime.datetime.strptime(f"{m[1]} {int(m[2])}:{m[3]}", "%Y-%m-%d %H:%M")
if len(c) == len(r):
    for i, (a, b) in enumerate(zip(c, r)):
        ma, mb = stamp.search(a), stamp.search(b)
        if a != b and ma and mb and stamp.sub('', a) == stamp.sub('', b) and \
                abs((when(ma) - when(mb)).total_seconds()) <= 60 * slack:
            print(f"  time within {slack} min: C '{a.strip()}', Rust '{b.strip()}'")
            r[i] = a
    open(sys.argv[2], 'w').write('\n'.join(r) + '\n')
PY
	fi
	if ! diff -u "$tmp/mdir.c" "$tmp/mdir.r" >"$tmp/diff"; then
		echo "pair $pair: mdir -/ -a differs (- C, + Rust):"
		grep '^-[^-]' "$tmp/diff" | head -10
		grep '^+[^+]' "$tmp/diff" | head -10
		status=1
	fi
	if ! diff -u "$tmp/attr.c" "$tmp/attr.r" >"$tmp/diff"; then
		echo "pair $pair: mattrib differs (- C, + Rust):"
		grep '^-[^-]' "$tmp/diff" | head -10
		grep '^+[^+]' "$tmp/diff" | head -10
		status=1
	fi
	if ! diff -rq "$tmp/files.c" "$tmp/files.r" >"$tmp/diff" 2>&1; then
		echo "pair $pair: file contents differ:"
		head -20 "$tmp/diff"
		status=1
	fi
	# An entry's line ends in its time, whose hour mdir pads with a space
	# (" 0:24" for a volume made after midnight).
	entries=$(grep -cE '^[^ ].* [ 0-9]?[0-9]:[0-9][0-9]' "$tmp/mdir.c" || true)
	[ "$entries" -gt 0 ] || { echo "pair $pair: the C image lists no entries: nothing was compared"; status=1; }
	[ $status = 1 ] || echo "pair $pair: same ($entries entries, $(find "$tmp/files.c" -type f | wc -l) files), both fsck-clean"
	rm -rf "$tmp/files.c" "$tmp/files.r"
done
exit $status
