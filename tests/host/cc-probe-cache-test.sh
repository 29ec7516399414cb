#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The probe cache in front of Kbuild's compiler (scripts/cc-probe-cache.sh)
# with a stand-in compiler that logs its calls and fails on one flag: a
# probe's answer, pass or fail, comes from the compiler once and from the
# cache after; a compiler changed in place asks again; a real compile
# (and a probe of stdin) always reaches the compiler.
set -uo pipefail
REPORT_PREFIX=host::cc-probe-cache::
. "$(dirname "$0")/lib.sh"
wrap="$root/scripts/cc-probe-cache.sh"
export RFL_CACHE="$tmp/cache"
mkdir -p "$tmp/bin"
cat >"$tmp/bin/fakecc" <<EOF
#!/usr/bin/env bash
echo "\$*" >>"$tmp/calls"
case " \$* " in *" -mno-such-flag "*) exit 1 ;; esac
exit 0
EOF
chmod +x "$tmp/bin/fakecc"
PATH="$tmp/bin:$PATH"
calls() { [ -f "$tmp/calls" ] && wc -l <"$tmp/calls" || echo 0; }
# try-run's shapes: cc-option and as-option.
probe() { "$wrap" fakecc -Werror -O2 "$1" -c -x "$2" /dev/null -o "$tmp/out.$RANDOM"; }

probe -mgood c
a=$?
probe -mgood c
b=$?
probe -mno-such-flag c
c=$?
probe -mno-such-flag c
d=$?
probe -mgood assembler-with-cpp
if [ "$a$b$c$d" = 0011 ] && [ "$(calls)" = 3 ]; then
	report probes-answered-once ok
else
	report probes-answered-once FAILED "exit codes $a$b$c$d (want 0011), $(calls) compiler calls (want 3)"
fi

touch -d '2 hours ago' "$tmp/bin/fakecc" # a new change time: another compiler
probe -mgood c
if [ "$(calls)" = 4 ]; then
	report changed-compiler-asked-again ok
else
	report changed-compiler-asked-again FAILED "$(calls) compiler calls (want 4)"
fi

"$wrap" fakecc -O2 -c -o "$tmp/x.o" "$tmp/x.c"
"$wrap" fakecc -O2 -c -o "$tmp/x.o" "$tmp/x.c"
echo nop | "$wrap" fakecc -c -x assembler-with-cpp -o "$tmp/y.o" -
echo nop | "$wrap" fakecc -c -x assembler-with-cpp -o "$tmp/y.o" -
"$wrap" fakecc -mno-such-flag -c -o "$tmp/x.o" "$tmp/x.c"
e=$?
if [ "$(calls)" = 9 ] && [ $e = 1 ]; then
	report compiles-pass-through ok
else
	report compiles-pass-through FAILED "$(calls) compiler calls (want 9), failing compile exit $e (want 1)"
fi
exit $failed
