# SPDX-License-Identifier: GPL-2.0
# The guest half of the power-cut scenarios (rw/13-*), sourced after
# /vm/lib.sh: `power_cut TAG DIR [TAG DIR...]`.
#
# Starts tests/guest/powercut on each mounted volume (TAG names the disk in
# its journal), at once, with this run's seed, and asks the host for a
# power cut (VM-CUT, scripts/vm-run.sh) that many milliseconds into the
# workloads: QEMU is killed under them. The host then checks the images
# (scripts/power-cut-check.py). Run N of a scenario (/vm/run, the harness's
# runs=) uses seed N+1 and a cut delay from it, the same in every tier, so
# the first runs of `make soak` are those of `make check`.
power_cut() {
	_run=$(cat /vm/run 2>/dev/null || echo 0)
	_seed=$((_run + 1))
	# 200 to 2,000 ms, spread over the range by the seed.
	_delay=$((200 + _seed * 7919 * 104729 % 1801))
	# Background write-back every 0.1 s, of what has been dirty for 0.2 s:
	# a cut meets write-back under way too, not only what fsync wrote.
	echo 10 >/proc/sys/vm/dirty_writeback_centisecs
	echo 20 >/proc/sys/vm/dirty_expire_centisecs
	check "the workload tool is there" [ -x /vm/files/powercut ]
	_pids="" _tags="" _all="$*"
	while [ $# -ge 2 ]; do
		check "$1 is mounted read-write at $2" grep -q " $2 $1 rw" /proc/mounts
		_tags="$_tags $1"
		shift 2
	done
	# (Tags and directories have no spaces.)
	# shellcheck disable=SC2086
	set -- $_all
	echo "run $_run: seed $_seed, cut after $_delay ms of the workloads on$_tags"
	# Everything before the cut passed: the cut ends the run.
	echo "scenario-done: $CHECKS checks"
	echo "VM-CUT $_delay"
	while [ $# -ge 2 ]; do
		/vm/files/powercut "$_seed" "$2" "$1" /vm/files/pattern &
		_pids="$_pids $!"
		shift 2
	done
	# A workload that ends before the cut failed (the host also finds
	# its "PC <tag> FAIL" line, if the cut came first).
	for _p in $_pids; do
		wait "$_p"
		fail "a workload ended (exit $?) before the power cut"
	done
}
