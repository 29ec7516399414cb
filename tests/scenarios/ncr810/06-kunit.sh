# harness: kunit=rust_ncr810_regs
# The register-map KUnit suite (rust_ncr810_stub/regs.rs) runs at load.
. /vm/lib.sh
must modprobe rust_ncr810
print_ktap rust_ncr810_regs
scenario_done
