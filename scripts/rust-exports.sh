#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Lists, as RUST_FAT_EXPORT(sym) lines, the Rust (v0-mangled, _R...) symbols
# that the consumer objects leave undefined and the exporter objects define.
# Usage: rust-exports.sh NM "EXPORTER.o..." CONSUMER.o...
set -e
nm=$1
exporters=$2
shift 2
# One nm for all the consumers and one for all the exporters: a start of
# llvm-nm is about 12 ms, and this runs on every build that changed a
# consumer (the inner loop). With several files nm prints a "file:" line
# before each, which neither pattern below matches.
{
	$nm -u "$@"
	echo "--defined--"
	# shellcheck disable=SC2086 # the exporters are a list
	$nm -p --defined-only $exporters
} | awk '
	$0 == "--defined--" { defined = 1; next }
	!defined { if ($NF ~ /^_R/) wanted[$NF] = 1; next }
	$2 ~ /^[TRDB]$/ && $3 in wanted && !seen[$3]++ &&
	    $3 !~ /_(init|cleanup)_module$/ && $3 !~ /__(pfx|cfi)/ { print "RUST_FAT_EXPORT(" $3 ")" }
'
