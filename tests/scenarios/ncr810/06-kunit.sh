# bench: kunit=rust_ncr810_regs
# The register-logic KUnit suite runs at load.
. /bench/lib.sh
must modprobe rust_ncr810
print_ktap rust_ncr810_regs
exit 0
