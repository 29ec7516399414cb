# harness: no-ncr810
# harness: kunit=harness_bytes
# Bytes that are not UTF-8 in a scenario's output (an msdos name with byte
# 0x9a, as a MISMATCH line of realdata prints it) must not cost the rest of
# the output: the harness reads it as bytes and shows them as U+FFFD. The
# KTAP block of a suite made up here, with such a byte in it, and the
# scenario-done line come after one: an output dropped whole would lose the
# suite (an error) and the declaration (a failure).
. /vm/lib.sh
check "printf writes byte 0x9a" [ "$(printf '\232' | od -An -tx1 | tr -d ' ')" = 9a ]
printf 'MISMATCH example.rust_msdos (- C, + Rust):\n-./\232.TXT file 755\n'
echo "VM-KTAP-BEGIN harness_bytes"
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: harness_bytes\n    1..1\n    # a byte that is not UTF-8: \232\n    ok 1 after_a_byte_0x9a\nok 1 harness_bytes\n'
echo "VM-KTAP-END"
count_check
scenario_done
