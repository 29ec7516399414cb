#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The package check scripts/setup-toolchain.sh starts with (apt_missing):
# under `set -euo pipefail`, as the script runs it, a package dpkg has
# never heard of (a fresh machine's clang-19, say) is reported missing
# instead of ending the script without a word, and an installed one is not.
set -uo pipefail
REPORT_PREFIX=host::setup-toolchain::
. "$(dirname "$0")/lib.sh"
# dpkg itself is installed wherever this runs; the other name exists nowhere.
out=$(bash -euo pipefail -c '. "$1/scripts/lib.sh"; apt_missing dpkg rfl-no-such-package; echo done' _ "$root" 2>&1)
if [ "$out" = "$(printf 'rfl-no-such-package\ndone')" ]; then
	report unknown-package-is-missing ok
else
	report unknown-package-is-missing FAILED "apt_missing dpkg rfl-no-such-package printed: $out"
fi
exit $failed
