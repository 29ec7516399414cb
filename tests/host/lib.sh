# SPDX-License-Identifier: GPL-2.0
# What the host-side test scripts share. Sourced after setting
# REPORT_PREFIX (the test names' prefix, e.g. "host::"): sets $root and a
# private $tmp (removed at exit), and `report NAME ok|FAILED [DETAIL]`,
# which prints one libtest-style line and records a failure in $failed.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
report() {
	echo "test $REPORT_PREFIX$1 ... $2"
	if [ "$2" != ok ]; then
		failed=1
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/    /'
	fi
}
