#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package end to end (docs/dkms.md), as on a Debian trixie machine
# with Debian's 7.3 kernel headers and the Rust metadata package:
#   1. in a throw-away view of the chroot of 'make distro-kdir' (an overlay:
#      the cached chroot is not touched), `apt install ./rfl-modules-dkms_*.deb`
#      pulls dkms, and DKMS runs the probe, builds the four modules, signs
#      them with its MOK key and installs them in updates/dkms with depmod;
#   2. a second kernel's headers (the newest other 7.x amd64 kernel Debian
#      has, 7.2.12): DKMS skips it (BUILD_EXCLUSIVE_KERNEL_MIN: the modules
#      use 7.3's kernel crate API), the headers configure, the first
#      kernel's modules stay;
#   2b. another 7.3 kernel, the cloud-amd64 flavour of the same version:
#      its headers first make DKMS fail with the probe's line naming its
#      metadata package (scripts/dkms-kernel-meta.sh makes it) and leave
#      the headers unconfigured; that package and `dpkg --configure -a`
#      then build and install the modules for it too;
#   3. removing the package removes the modules of every kernel and
#      depmod's entries;
#   4. without the metadata package apt refuses the package, and a plain
#      `dkms install` fails with the probe's line in make.log, no compiler
#      run and nothing installed; 4b. the same without bindgen, which the
#      package depends on (the modules generate bindings);
#   5. the VM boots Debian's own kernel with the modules DKMS installed
#      (its updates/dkms, taken from the view: RFL_MODULES_FROM for
#      scripts/stage-modules.sh) and runs the stack, mount and SCSI
#      scenarios;
#   6. one more boot with module.sig_enforce=1: Debian's signed modules
#      load; the DKMS-signed module is refused for its unknown key (the
#      kernel parsed its signature: "module with unavailable key"), its
#      copy without the signature as unsigned.
# Usage: scripts/dkms-test.sh
# DKMS_TEST_KEEP=1 keeps the work directory (the view, logs, modules).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start=$(date +%s)
step() { log "dkms-test [$(($(date +%s) - start))s] $*"; }

kdir=$("$REPO_ROOT/scripts/distro-kdir.sh" --print debian)
root=$(distro_root "$kdir")
# shellcheck disable=SC1091
. "$root/.rfl-distro"
meta="linux-headers-$release-rust"

step "make dkms-deb"
deb=$("$REPO_ROOT/scripts/dkms-deb.sh")
version=$(dpkg-deb --field "$deb" Version)

work=$(mktemp -d /var/tmp/rfl-dkms-test.XXXXXX)
[ -n "${DKMS_TEST_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper/var/tmp" "$work/out"
cp "$deb" "$work/upper/var/tmp/"
# The packages apt fetches (dkms and what it needs), kept for the next run.
archives="$CACHE_ROOT/dkms/apt-archives"
mkdir -p "$archives/partial"

# The second kernel: the newest 7.x amd64 headers other than ours.
second=$(in_chroot "$root" -- apt-cache search --names-only '^linux-headers-7\.[0-9.]+\+deb[0-9]+-amd64$' |
	awk '{print $1}' | sed 's/^linux-headers-//' | grep -vxF "$release" | sort -V | tail -1 || true)
step "package $(basename "$deb"); kernel $release; second kernel: ${second:-none in the lists}"
# Another 7.3 kernel: the cloud flavour of the same version, with its own
# metadata package. Both packages ship target.json into the kbuild
# directory the flavours share (scripts/distro-package.sh): installed over
# the other only if it is the same file.
flavour=${release%-amd64}-cloud-amd64
step "the Rust metadata package of $flavour (cached after the first run, about 6 minutes)"
flavour_meta=$("$REPO_ROOT/scripts/dkms-kernel-meta.sh" "$flavour")
tj() { dpkg-deb --fsys-tarfile "$1" | tar -xO --wildcards '*/scripts/target.json'; }
cmp -s <(tj "$flavour_meta") <(tj "$(ls "$root"/../debs/"$meta"_*_amd64.deb)") ||
	die "$flavour's target.json differs from $release's" "the flavours need their own kbuild scripts; not supported yet"
cp "$flavour_meta" "$work/upper/var/tmp/"

cat >"$work/upper/var/tmp/chroot-test.sh" <<'EOS'
set -uo pipefail
release=$1 version=$2 meta=$3 second=$4 deb=/var/tmp/$5 out=$6 archives=$7 debs=$8 flavour=$9 flavour_meta=/var/tmp/${10}
failed=0
say() { printf '==> chroot: %s\n' "$*" >&2; }
ok() { printf '    ok: %s\n' "$*" >&2; }
bad() { printf '    FAILED: %s\n' "$*" >&2; failed=1; }
apt() { DEBIAN_FRONTEND=noninteractive apt-get -y -o Dir::Cache::archives="$archives" -o APT::Sandbox::User=root "$@"; }
mods="rust_fat rust_vfat rust_msdos rust_ncr810"
dest=/lib/modules/$release/updates/dkms
ko() { ls "/lib/modules/$1/updates/dkms/$2.ko"* 2>/dev/null | head -1; }
makelog() { ls -t /var/lib/dkms/rfl-modules/"$version"/build/make.log \
	/var/lib/dkms/rfl-modules/"$version"/"$1"/*/log/make.log 2>/dev/null | head -1; }
# A build the probe stopped: its make.log holds exactly one probe line,
# containing each TEXT, and no compiler output.
probe_stopped_build() { # WHAT TEXT...
	local what=$1 l line t named=1
	shift
	l=$(makelog "$release")
	line=$(grep -h '^rust-probe:' $l 2>/dev/null)
	echo "$line" | sed 's/^/    make.log: /' >&2
	for t in "$@"; do
		grep -qF "$t" <<<"$line" || named=0
	done
	[ $named = 1 ] && ok "make.log: the probe's line names $what" || bad "no probe line naming $what in ${l:-make.log}"
	grep -qE '^\s+(RUSTC|BINDGEN|CC|LD)\b|error\[E' $l 2>/dev/null && bad "make.log shows compiler output" || ok "make.log shows no compiler output"
	[ "$(grep -c '^rust-probe:' $l 2>/dev/null)" = 1 ] && ok "one line" || bad "not exactly one probe line"
}

say "0. the kernel's modules, as linux-image-$release has them (linux-base, linux-modules, then depmod)"
dpkg -i "$debs"/linux-base-"$release"_*.deb "$debs"/linux-modules-"$release"_*.deb >/tmp/image.log 2>&1 &&
	depmod "$release" && ok "$(find "/lib/modules/$release/kernel" -name '*.ko*' | wc -l) modules, modules.dep" ||
	{ bad "installing the kernel's modules failed"; tail -5 /tmp/image.log >&2; }

say "1. apt install ./$(basename "$deb")"
if apt install "$deb" >/tmp/install.log 2>&1; then ok "apt install: exit 0"; else bad "apt install failed"; tail -30 /tmp/install.log >&2; fi
grep -E '^(Setting up (dkms|rfl-modules)|Building for|Sign command|Signing key|Public certificate|Building module|Signing module|Installing|Running depmod|Autoinstall)' /tmp/install.log |
	sed 's/^/    | /' >&2
st=$(dkms status rfl-modules 2>&1)
echo "$st" | sed 's/^/    dkms status: /' >&2
grep -qF "rfl-modules/$version, $release, x86_64: installed" <<<"$st" && ok "installed for $release" || bad "dkms status does not say installed for $release"
log=/var/lib/dkms/rfl-modules/$version/$release/x86_64/log/make.log
grep -F "rust-probe: $release: Rust modules can be built" "$log" | sed 's/^/    make.log: /' >&2 ||
	bad "the probe's line is not in $log"
for m in $mods; do
	f=$(ko "$release" "$m")
	[ -n "$f" ] || { bad "no $m in $dest"; continue; }
	printf '    %-52s vermagic %s| signer %s | %s\n' "$f" "$(modinfo -F vermagic "$f")" "$(modinfo -F signer "$f")" \
		"$(modinfo -F sig_hashalgo "$f")" >&2
	[ "$(modinfo -F signer "$f")" = "DKMS module signing key" ] || bad "$m is not signed with DKMS's key"
	case $(modinfo -F vermagic "$f") in "$release "*) ;; *) bad "$m: vermagic is not $release's" ;; esac
done
for m in rust_vfat rust_msdos; do
	grep -E "^updates/dkms/$m\.ko[^:]*: updates/dkms/rust_fat\.ko" "/lib/modules/$release/modules.dep" >/dev/null &&
		ok "depmod: $m depends on updates/dkms/rust_fat" || bad "modules.dep has no '$m: rust_fat' line"
done
cp -a "/lib/modules/$release/updates" "$out/"
cp /var/lib/dkms/mok.pub "$out/mok.der" 2>/dev/null || bad "no DKMS MOK certificate /var/lib/dkms/mok.pub"
openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject -ext extendedKeyUsage 2>/dev/null | sed 's/^/    mok.pub: /' >&2

if [ -n "$second" ]; then
	say "2. a second kernel: apt install linux-headers-$second (DKMS runs on the headers' postinst)"
	apt install --no-install-recommends "linux-headers-$second" >/tmp/second.log 2>&1 && ok "apt install: exit 0" ||
		{ bad "apt install linux-headers-$second failed"; tail -20 /tmp/second.log >&2; }
	grep -E "rfl-modules|BUILD_EXCLUSIVE|Autoinstall" /tmp/second.log | sed 's/^/    | /' >&2
	grep -qF "Autoinstall on $second was skipped for module(s) rfl-modules" /tmp/second.log &&
		ok "DKMS skipped $second (older than BUILD_EXCLUSIVE_KERNEL_MIN)" || bad "DKMS did not skip $second"
	dpkg -s "linux-headers-$second" | grep -q '^Status: install ok installed' && ok "linux-headers-$second configured" ||
		bad "linux-headers-$second not configured"
	[ -z "$(ko "$second" rust_fat)" ] && ok "nothing installed for $second" || bad "modules installed for $second"
	[ -n "$(ko "$release" rust_fat)" ] && ok "$release's modules still there" || bad "$release's modules gone"
fi

say "2b. another 7.3 kernel: apt install linux-headers-$flavour, before its metadata package"
rc=0
apt install --no-install-recommends "linux-headers-$flavour" >/tmp/flavour.log 2>&1 || rc=$?
grep -E "Consult|Autoinstall on" /tmp/flavour.log | sed 's/^/    | /' >&2
[ "$rc" != 0 ] && ok "apt exited $rc: the DKMS build failed the headers' configuration" || bad "apt install succeeded without $flavour's metadata"
line=$(grep -h '^rust-probe:' "$(makelog "$flavour")" 2>/dev/null)
echo "$line" | sed 's/^/    make.log: /' >&2
grep -qF "install linux-headers-$flavour-rust" <<<"$line" && ok "the probe names linux-headers-$flavour-rust" ||
	bad "no probe line naming linux-headers-$flavour-rust"
say "   then its metadata package (target.json: the same file as $meta's) and dpkg --configure -a"
dpkg -i --force-overwrite "$flavour_meta" >/tmp/flavour-meta.log 2>&1 || true
dpkg --configure -a >>/tmp/flavour-meta.log 2>&1 && ok "dpkg --configure -a: exit 0" ||
	{ bad "dpkg --configure -a failed"; tail -20 /tmp/flavour-meta.log >&2; }
grep -E "Building module|Signing module|Installing /lib|Autoinstall on" /tmp/flavour-meta.log | sed 's/^/    | /' >&2
st=$(dkms status rfl-modules 2>&1)
echo "$st" | sed 's/^/    dkms status: /' >&2
for k in "$release" "$flavour"; do
	grep -qF "rfl-modules/$version, $k, x86_64: installed" <<<"$st" && ok "installed for $k" || bad "not installed for $k"
done
for m in $mods; do
	f=$(ko "$flavour" "$m")
	[ -n "$f" ] || { bad "no $m for $flavour"; continue; }
	case $(modinfo -F vermagic "$f") in "$flavour "*) ;; *) bad "$f: vermagic is not $flavour's" ;; esac
	[ "$(modinfo -F signer "$f")" = "DKMS module signing key" ] || bad "$f is not signed with DKMS's key"
done
f=$(ko "$flavour" rust_fat)
[ -n "$f" ] && printf '    %s: vermagic %s| signer %s\n' "$f" "$(modinfo -F vermagic "$f")" "$(modinfo -F signer "$f")" >&2

say "3. apt remove rfl-modules-dkms"
apt remove rfl-modules-dkms >/tmp/remove.log 2>&1 && ok "apt remove: exit 0" || { bad "apt remove failed"; tail -20 /tmp/remove.log >&2; }
for k in $release $second $flavour; do
	left=$(ls "/lib/modules/$k/updates/dkms" 2>/dev/null | grep '^rust_' || true)
	[ -z "$left" ] && ok "no rust_* module left in /lib/modules/$k/updates/dkms" || bad "left for $k: $left"
done
grep -q 'rust_' "/lib/modules/$release/modules.dep" && bad "modules.dep still lists rust_ modules" || ok "modules.dep lists no rust_ module"
[ -z "$(dkms status rfl-modules 2>/dev/null)" ] && ok "dkms status: nothing of rfl-modules" || bad "dkms still knows rfl-modules"
[ ! -e "/usr/src/rfl-modules-$version" ] && ok "/usr/src/rfl-modules-$version removed" || bad "/usr/src/rfl-modules-$version left"

say "4. without $meta"
dpkg -r "$meta" >/dev/null || bad "dpkg -r $meta failed"
if apt install "$deb" >/tmp/nometa.log 2>&1; then
	bad "apt installed the package without $meta"
else
	grep -m1 -E "Depends: $meta" /tmp/nometa.log | sed 's/^/    | /' >&2
	dpkg -s rfl-modules-dkms >/dev/null 2>&1 && bad "rfl-modules-dkms is (half-)installed" || ok "apt refused: rfl-modules-dkms not installed"
fi
# DKMS by hand, from the same sources.
mkdir -p /tmp/x && dpkg-deb -x "$deb" /tmp/x && cp -a "/tmp/x/usr/src/rfl-modules-$version" /usr/src/
dkms add -m rfl-modules -v "$version" >/dev/null || bad "dkms add failed"
rc=0
dkms install -m rfl-modules -v "$version" -k "$release" >/tmp/dkms-install.log 2>&1 || rc=$?
sed 's/^/    | /' /tmp/dkms-install.log >&2
[ "$rc" != 0 ] && ok "dkms install failed (exit $rc)" || bad "dkms install succeeded without $meta"
probe_stopped_build "$meta" \
	"rust-probe: $release: the kernel headers at /lib/modules/$release/build lack the Rust metadata" "install $meta"
ls "$dest"/rust_* >/dev/null 2>&1 && bad "modules installed in $dest" || ok "nothing in $dest"
grep -q 'rust_' "/lib/modules/$release/modules.dep" && bad "modules.dep lists rust_ modules" || ok "modules.dep unchanged"
dkms status rfl-modules | sed 's/^/    dkms status: /' >&2
dkms status rfl-modules | grep -q 'installed' && bad "dkms says installed" || ok "dkms: added, not built or installed"

say "4b. without bindgen, the metadata package back"
deps=$(dpkg-deb --field "$deb" Depends)
for d in bindgen libclang-dev; do
	grep -qE "(^|, *)$d( |,|$)" <<<"$deps" && ok "the package depends on $d" || bad "the package does not depend on $d: $deps"
done
# --force-overwrite: the cloud flavour's metadata package of step 2b ships the
# same scripts/target.json into the kbuild directory both flavours share.
dpkg -i --force-overwrite "$debs/$meta"_*_amd64.deb >/tmp/meta.log 2>&1 || { bad "dpkg -i $meta failed"; tail -5 /tmp/meta.log >&2; }
bg=$(command -v bindgen) || bad "no bindgen in the chroot"
mv "$bg" "$bg.hidden"
rc=0
dkms build -m rfl-modules -v "$version" -k "$release" --force >/tmp/dkms-nobindgen.log 2>&1 || rc=$?
mv "$bg.hidden" "$bg"
[ "$rc" != 0 ] && ok "dkms build failed (exit $rc)" || bad "dkms build succeeded without bindgen"
probe_stopped_build "bindgen and libclang-dev" "bindgen (bindgen) is not installed" "apt install bindgen libclang-dev"
exit $failed
EOS

step "in the chroot view: install, a second kernel, remove, no metadata"
debs=$(cd "$root/../debs" && pwd)
in_chroot "$root" --overlay "$work" --bind "$work/out" --bind "$archives" --ro-bind "$debs" -- \
	bash /var/tmp/chroot-test.sh "$release" "$version" "$meta" "$second" "$(basename "$deb")" "$work/out" "$archives" "$debs" \
	"$flavour" "$(basename "$flavour_meta")" ||
	die "the chroot part of the DKMS test failed (FAILED lines above)" "the view is in $work with DKMS_TEST_KEEP=1"

# 5. The VM: Debian's kernel, Debian's modules, the project's from DKMS.
step "VM: Debian's kernel with the modules DKMS installed ($work/out/updates)"
export RFL_MODULES_FROM=$work/out
TEST_DATA=$("$REPO_ROOT/scripts/test-data.sh")
export TEST_DATA
(cd "$REPO_ROOT" && cargo build --quiet --release -p harness)
"$REPO_ROOT/target/release/harness" --jobs 1 --kdir "$kdir" --junit "$work/junit.xml" --ktap "$work/ktap" \
	--kcidb "$work/kcidb.json" vfat::02-modprobe-stack vfat::04-demand-load ncr810::12-scsi-file-systems ||
	die "VM scenarios failed with the DKMS-built modules" "see the FAILED tests above"

# 6. Signatures, enforced.
step "VM: module.sig_enforce=1 (Debian's key is built in, DKMS's MOK key is not)"
python3 - "$(ls "$work"/out/updates/dkms/rust_fat.ko*)" "$work/rust_fat-unsigned.ko" <<'PY'
import lzma, sys
data = open(sys.argv[1], "rb").read()
if sys.argv[1].endswith(".xz"):
    data = lzma.decompress(data)
magic = b"~Module signature appended~\n"
assert data.endswith(magic), "no appended signature"
info = data[-len(magic) - 12:-len(magic)]
sig_len = int.from_bytes(info[8:12], "big")
open(sys.argv[2], "wb").write(data[:-len(magic) - 12 - sig_len])
PY
cat >"$work/sig.sh" <<'EOS'
. /vm/lib.sh
step "the project's modules are the ones DKMS installed"
for m in rust_fat rust_vfat rust_msdos rust_ncr810; do
	f=$(modinfo -F filename $m)
	echo "$m: $f"
	case $f in */updates/dkms/$m.ko*) ;; *) fail "$m is not from updates/dkms" ;; esac
done
echo "sig_enforce: $(cat /sys/module/module/parameters/sig_enforce)"
[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] || fail "signatures are not enforced"
step "Debian's own module (signed with Debian's built-in key) loads"
must modprobe fat
dmesg_mark
step "rust_fat signed by DKMS's MOK key: refused for its key, not its format"
modprobe rust_fat && fail "the DKMS-signed rust_fat loaded without its key"
dmesg_new | grep -F 'Loading of module with unavailable key is rejected' || fail "no 'module with unavailable key' line"
dmesg_mark
step "the same module without its signature: refused as unsigned"
insmod /vm/files/rust_fat-unsigned.ko && fail "the unsigned rust_fat loaded"
dmesg_new | grep -F 'Loading of unsigned module is rejected' || fail "no 'unsigned module' line"
loaded rust_fat && fail "rust_fat is loaded"
exit 0
EOS
VM_APPEND="module.sig_enforce=1" "$REPO_ROOT/scripts/vm-run.sh" --kdir "$kdir" --no-ncr810 \
	--files "$work/rust_fat-unsigned.ko" "$work/sig.sh" || die "the signature boot failed" "see its output above"
log "dkms-test: passed in $(($(date +%s) - start))s"
