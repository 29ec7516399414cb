#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Python virtual environment with KCIDB's schema validator (kcidb-io from
# PyPI, pinned), outside the clone in the cache so a fresh clone reuses it and
# nothing is installed system-wide. Creates it when missing and prints its
# path; a second run does nothing. With --validate, checks KCIDB submissions
# with kcidb-io's own validator instead (the schema version the pinned
# release calls latest) and fails when one is rejected.
#
# Usage: scripts/kcidb-venv.sh [--no-create] [--validate FILE...]
#   --no-create   exit 3 (and say so) when the venv does not exist yet,
#                 instead of creating it (the host tests use this)
#   --validate    validate each FILE; prints one line per valid file
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# kcidb-io 141's latest schema is v5.3: tests/harness/src/kcidb.rs writes
# that version; bump both together.
KCIDB_IO_VERSION=141
venv="$CACHE_ROOT/venv-kcidb-io-$KCIDB_IO_VERSION"

create=1 validate=0
while [ $# -gt 0 ]; do
	case $1 in
	--no-create) create=0; shift ;;
	--validate) validate=1; shift; break ;;
	-h | --help) sed -n '3,13p' "$0"; exit 0 ;;
	*) die "unknown option '$1'" "see scripts/kcidb-venv.sh --help" ;;
	esac
done
[ $validate = 0 ] || [ $# -gt 0 ] || die "--validate needs the KCIDB file(s) to check" "scripts/kcidb-venv.sh --validate target/check-results/kcidb.json"

# The marker is written last, so an interrupted install is redone, not used.
if [ ! -f "$venv/.complete" ]; then
	if [ $create = 0 ]; then
		echo "no kcidb-io venv at $venv yet (scripts/kcidb-venv.sh creates it)" >&2
		exit 3
	fi
	log "kcidb: creating the Python venv $venv with kcidb-io $KCIDB_IO_VERSION"
	command -v python3 >/dev/null || die "python3 is not installed" "run scripts/setup-toolchain.sh (it installs python3 and python3-venv)"
	rm -rf "$venv"
	mkdir -p "$CACHE_ROOT"
	python3 -m venv "$venv" >&2 ||
		{ rm -rf "$venv"; die "python3 -m venv failed (python3-venv missing?)" "run scripts/setup-toolchain.sh (it installs python3-venv), then re-run $0"; }
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "kcidb-io==$KCIDB_IO_VERSION" >&2 ||
		{ rm -rf "$venv"; die "pip could not install kcidb-io $KCIDB_IO_VERSION into $venv" "check that PyPI is reachable, then re-run $0"; }
	"$venv/bin/python" -c 'import kcidb_io' ||
		{ rm -rf "$venv"; die "kcidb-io installed but does not import" "remove $venv and re-run $0"; }
	touch "$venv/.complete"
fi

if [ $validate = 0 ]; then
	echo "$venv"
	exit 0
fi

# kcidb-io's schema classes validate with jsonschema (Draft 7, formats such
# as uri and date-time checked); validate_exactly holds the file to the
# latest schema, whose version the file must declare.
"$venv/bin/python" - "$@" <<'EOF'
import json
import sys

import jsonschema
import kcidb_io

schema = kcidb_io.schema.LATEST
bad = 0
for name in sys.argv[1:]:
    try:
        with open(name, encoding="utf-8") as f:
            data = json.load(f)
        schema.validate_exactly(data)
    except (OSError, ValueError) as e:
        print(f"error: {name}: not a readable JSON file: {e}", file=sys.stderr)
        bad += 1
        continue
    except jsonschema.exceptions.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"error: {name}: rejected by kcidb-io (schema v{schema.major}.{schema.minor}) at {where}: {e.message}",
              file=sys.stderr)
        bad += 1
        continue
    print(f"kcidb: {name}: valid (schema v{schema.major}.{schema.minor}, "
          f"{len(data.get('checkouts', []))} checkout(s), {len(data.get('builds', []))} build(s), "
          f"{len(data.get('tests', []))} test(s))")
sys.exit(1 if bad else 0)
EOF
