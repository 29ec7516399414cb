// SPDX-License-Identifier: GPL-2.0

//! Mount options, spelled and applied as the kernel's C driver does
//! (`fat_param_spec`, `vfat_param_spec` and `msdos_param_spec` in
//! `fs/fat/inode.c`). Options that only matter for writing take effect
//! on a read-write mount only.

use crate::names::{
    IoCharset,
    NameCheck, //
};
use crate::namespace::Namespace;

/// How vfat shows 8.3 names (`shortname=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortnameDisplay {
    /// `lower`: all lower case.
    Lower,
    /// `win95`: as stored.
    Win95,
    /// `winnt` and `mixed` (the default): the NT lower-case flags apply.
    WinNt,
}

/// How vfat creates 8.3 names (the create half of `shortname=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortnameCreate {
    /// `win95`, `mixed` (the default) and `lower`: a name that is not all
    /// upper case gets a long name over its 8.3 alias.
    Win95,
    /// `winnt`: a name all upper or all lower case per part is stored as
    /// 8.3 only, with the NT case flags.
    WinNt,
}

/// What a structural error does (`errors=`, C's `FAT_ERRORS_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errors {
    /// `continue`: report it and go on.
    Continue,
    /// `remount-ro` (the default): a read-write mount becomes read-only.
    RemountRo,
    /// `panic`: the kernel panics, also on a read-only mount.
    Panic,
}

/// The parsed options of one mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountOptions {
    /// `uid=`, else the mounter's.
    pub uid: Option<u32>,
    /// `gid=`, else the mounter's.
    pub gid: Option<u32>,
    /// Permission bits cleared on files (`fmask=`, `umask=`): the low 16
    /// bits of the value, as C's `unsigned short` keeps them (and shows
    /// them); only the permission bits are ever applied.
    pub fmask: u16,
    /// Permission bits cleared on directories (`dmask=`, `umask=`), kept
    /// as `fmask`.
    pub dmask: u16,
    /// `showexec`: execute bits only for `.exe`, `.com`, `.bat`.
    pub showexec: bool,
    /// `sys_immutable`.
    pub sys_immutable: bool,
    /// `quiet`: chmod/chown that the mount cannot honour succeed silently.
    pub quiet: bool,
    /// `utf8`, separate from `iocharset=` as in `fs/fat`.
    pub utf8: bool,
    /// `iocharset=`: the character set when `utf8` is off.
    pub iocharset: IoCharset,
    /// `uni_xlate`: unmappable characters as `:xxxx` escapes.
    pub uni_xlate: bool,
    /// `shortname=`: how 8.3 names are shown.
    pub shortname: ShortnameDisplay,
    /// `shortname=`: how 8.3 names are created.
    pub shortname_create: ShortnameCreate,
    /// Numeric tails (`~1`) on aliases whose plain form is free too
    /// (vfat; off with `nonumtail`).
    pub numtail: bool,
    /// `check=` (msdos name checking; vfat: `s` makes names case-sensitive).
    pub check: NameCheck,
    /// `nocase` (msdos): names are not lower-cased.
    pub nocase: bool,
    /// `dots`/`dotsOK=yes` (msdos): hidden files get a leading dot.
    pub dots: bool,
    /// `tz=UTC` or `time_offset=`: minutes east of UTC; `None`: the
    /// kernel's time zone.
    pub time_offset_min: Option<i32>,
    /// `allow_utime=`: who besides the owner may set times (`None`: from
    /// `dmask`, see [`MountOptions::allow_utime`]).
    pub allow_utime: Option<u16>,
    /// `usefree`: trust FSInfo's free count.
    pub usefree: bool,
    /// `flush`: a file's data goes to the device when it is closed after
    /// writing, not at the next writeback.
    pub flush: bool,
    /// `discard`: freed clusters are discarded on the device.
    pub discard: bool,
    /// `dos1xfloppy`: a floppy without a BPB gets the DOS 1.x defaults for
    /// its size.
    pub dos1xfloppy: bool,
    /// `nfs` or `nfs=stale_rw`: shown in the options; file handles are
    /// served with or without it, as `fs/fat` serves them (an inode no
    /// longer in memory is stale). `nfs=nostale_ro` is not implemented.
    pub nfs: bool,
    /// `rodir` (vfat): the read-only attribute of a directory makes it
    /// read-only, as it always does under msdos (see [`MountOptions::rodir`]).
    pub rodir: bool,
    /// `errors=`.
    pub errors: Errors,
}

impl MountOptions {
    /// The defaults, with the mounter's `umask` for both masks.
    pub fn new(umask: u16) -> MountOptions {
        MountOptions {
            uid: None,
            gid: None,
            fmask: umask,
            dmask: umask,
            showexec: false,
            sys_immutable: false,
            quiet: false,
            utf8: false,
            iocharset: IoCharset::Latin1,
            uni_xlate: false,
            shortname: ShortnameDisplay::WinNt,
            shortname_create: ShortnameCreate::Win95,
            numtail: true,
            check: NameCheck::Normal,
            nocase: false,
            dots: false,
            time_offset_min: None,
            allow_utime: None,
            usefree: false,
            flush: false,
            discard: false,
            dos1xfloppy: false,
            nfs: false,
            rodir: false,
            errors: Errors::RemountRo,
        }
    }
}

impl MountOptions {
    /// Settles options that depend on each other, once all are parsed: as
    /// in `fs/fat`, `uni_xlate` turns `utf8` off (escapes are an
    /// alternative to UTF-8).
    pub fn settle(&mut self) {
        if self.uni_xlate {
            self.utf8 = false;
        }
    }

    /// The kernel's defaults for a mount (`fs/fat`'s
    /// `CONFIG_FAT_DEFAULT_UTF8`, vfat only, and
    /// `CONFIG_FAT_DEFAULT_IOCHARSET`), before any option applies.
    pub fn set_charset_defaults(&mut self, utf8: bool, iocharset: IoCharset) {
        self.utf8 = utf8;
        self.iocharset = iocharset;
    }

    /// Whether a directory's read-only attribute makes it read-only: always
    /// for a namespace that says so (`ns_rodir`: msdos), else with `rodir`.
    pub fn rodir(&self, ns_rodir: bool) -> bool {
        ns_rodir || self.rodir
    }

    /// The `allow_utime` bits in effect: as given, else the group and
    /// other write bits `dmask` leaves (`fat_fill_super`).
    pub fn allow_utime(&self) -> u16 {
        self.allow_utime.unwrap_or(!self.dmask & 0o022)
    }

    /// The character set names are shown in, as `fs/fat` decides it: UTF-8
    /// while `utf8` is on (and `uni_xlate` off), else `iocharset`.
    pub fn charset(&self) -> IoCharset {
        if self.utf8 && !self.uni_xlate {
            IoCharset::Utf8
        } else {
            self.iocharset
        }
    }
}

/// Why an option was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError {
    /// Not an option of this file system (the VFS then tries `source`,
    /// else fails the mount with `EINVAL`: "Unknown parameter").
    Unknown,
    /// A flag given a value, or a value that does not parse.
    BadValue,
    /// A valid option this driver does not implement: a code page or I/O
    /// character set other than 437 and UTF-8/ISO 8859-1/ASCII,
    /// `nfs=nostale_ro`.
    Unsupported,
}

fn parse_uint(s: &[u8], radix: u32) -> Option<u64> {
    // kstrtouint: an optional '+', a "0x"/"0" prefix with radix 0, a
    // trailing newline.
    let s = s.strip_suffix(b"\n").unwrap_or(s);
    let s = s.strip_prefix(b"+").unwrap_or(s);
    let (digits, radix) = match radix {
        0 => {
            if let Some(h) = s.strip_prefix(b"0x").or_else(|| s.strip_prefix(b"0X")) {
                (h, 16)
            } else if s.len() > 1 && s[0] == b'0' {
                (&s[1..], 8)
            } else {
                (s, 10)
            }
        }
        16 => (
            s.strip_prefix(b"0x")
                .or_else(|| s.strip_prefix(b"0X"))
                .unwrap_or(s),
            16,
        ),
        r => (s, r),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

fn parse_u32(s: &[u8], radix: u32) -> Option<u32> {
    parse_uint(s, radix).and_then(|v| u32::try_from(v).ok())
}

fn parse_s32(s: &[u8]) -> Option<i32> {
    match s.strip_prefix(b"-") {
        Some(rest) => {
            let v = i64::try_from(parse_uint(rest, 0)?).ok()?;
            i32::try_from(-v).ok()
        }
        None => i32::try_from(parse_uint(s, 0)?).ok(),
    }
}

/// Parses a boolean option value as `fs_parser`'s `fsparam_bool`.
pub fn parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"1" | b"yes" | b"true" | b"on" => Some(true),
        b"0" | b"no" | b"false" | b"off" => Some(false),
        _ => None,
    }
}

/// A flag takes no value.
pub fn flag(value: Option<&[u8]>) -> Result<(), OptionError> {
    match value {
        None => Ok(()),
        Some(_) => Err(OptionError::BadValue),
    }
}

/// The value an option must have.
pub fn value(v: Option<&[u8]>) -> Result<&[u8], OptionError> {
    v.ok_or(OptionError::BadValue)
}

/// Applies one option `key` (with `value`, `None` for a flag) to `opts`:
/// the options every FAT mount has (`fat_param_spec`) here, the rest by
/// the namespace `ns`.
pub fn apply<N: Namespace + ?Sized>(
    opts: &mut MountOptions,
    ns: &N,
    key: &[u8],
    val: Option<&[u8]>,
) -> Result<(), OptionError> {
    let bad = OptionError::BadValue;
    match key {
        b"check" => {
            opts.check = match value(val)? {
                b"relaxed" | b"r" => NameCheck::Relaxed,
                b"normal" | b"n" => NameCheck::Normal,
                b"strict" | b"s" => NameCheck::Strict,
                _ => return Err(bad),
            }
        }
        // `fsparam_uid`: kstrtouint with base 0 (`0x3e8`, `0100` octal).
        b"uid" => opts.uid = Some(parse_u32(value(val)?, 0).ok_or(bad)?),
        b"gid" => opts.gid = Some(parse_u32(value(val)?, 0).ok_or(bad)?),
        b"umask" | b"dmask" | b"fmask" => {
            let m = parse_u32(value(val)?, 8).ok_or(bad)?;
            // C stores the value in an `unsigned short`: its low 16 bits.
            let m = (m & 0xffff) as u16;
            match key {
                b"umask" => {
                    opts.fmask = m;
                    opts.dmask = m;
                }
                b"dmask" => opts.dmask = m,
                _ => opts.fmask = m,
            }
        }
        b"allow_utime" => {
            let m = parse_u32(value(val)?, 8).ok_or(bad)?;
            opts.allow_utime = Some((m & 0o022) as u16);
        }
        b"codepage" => {
            if parse_u32(value(val)?, 0).ok_or(bad)? != 437 {
                return Err(OptionError::Unsupported);
            }
        }
        b"quiet" => {
            flag(val)?;
            opts.quiet = true;
        }
        b"showexec" => {
            flag(val)?;
            opts.showexec = true;
        }
        b"sys_immutable" => {
            flag(val)?;
            opts.sys_immutable = true;
        }
        b"usefree" | b"debug" | b"flush" | b"discard" | b"dos1xfloppy" => {
            flag(val)?;
            match key {
                b"usefree" => opts.usefree = true,
                b"flush" => opts.flush = true,
                b"discard" => opts.discard = true,
                b"dos1xfloppy" => opts.dos1xfloppy = true,
                _ => {}
            }
        }
        // File handles of inodes in memory (C's default, `stale_rw`);
        // `nostale_ro`, which builds inodes from handles on a read-only
        // mount, is not implemented.
        b"nfs" => match val {
            None | Some(b"stale_rw") => opts.nfs = true,
            Some(b"nostale_ro") => return Err(OptionError::Unsupported),
            Some(_) => return Err(bad),
        },
        b"tz" => {
            if value(val)? != b"UTC" {
                return Err(bad);
            }
            opts.time_offset_min = Some(0);
        }
        b"time_offset" => {
            let v = parse_s32(value(val)?).ok_or(bad)?;
            if !(-24 * 60..=24 * 60).contains(&v) {
                return Err(bad);
            }
            opts.time_offset_min = Some(v);
        }
        b"errors" => {
            opts.errors = match value(val)? {
                b"continue" => Errors::Continue,
                b"remount-ro" => Errors::RemountRo,
                b"panic" => Errors::Panic,
                _ => return Err(bad),
            }
        }
        _ => return ns.parse_option(opts, key, val),
    }
    Ok(())
}

/// Whether `key` (with `val`) is one of the options `fs/fat` still
/// accepts but ignores (`Opt_obsolete`, flagged `fs_param_deprecated`:
/// `conv=`, `fat=`, `blocksize=`, `cvf_format=`, `cvf_options=`, `posix`):
/// `Some(Ok(()))` when it is, with a value of its type (the caller logs
/// that it is deprecated and obsolete, as C does, and goes on),
/// `Some(Err(BadValue))` when it is with a value that does not parse,
/// `None` for any other option.
pub fn obsolete(key: &[u8], val: Option<&[u8]>) -> Option<Result<(), OptionError>> {
    let bad = Err(OptionError::BadValue);
    Some(match key {
        b"conv" => match val {
            Some(b"binary" | b"text" | b"auto" | b"b" | b"t" | b"a") => Ok(()),
            _ => bad,
        },
        b"fat" | b"blocksize" => match val.and_then(|v| parse_u32(v, 0)) {
            Some(_) => Ok(()),
            None => bad,
        },
        b"cvf_format" | b"cvf_options" => value(val).map(|_| ()),
        b"posix" => flag(val),
        _ => return None,
    })
}

/// The name `fs/fat` shows for an I/O character set (its NLS table's).
fn charset_name(cs: IoCharset) -> &'static str {
    match cs {
        IoCharset::Utf8 => "utf8",
        IoCharset::Latin1 => "iso8859-1",
        IoCharset::Ascii => "ascii",
    }
}

/// Writes the options of a mount as `fat_show_options` does for
/// `/proc/mounts`, each as `,name[=value]`, in C's order: `vfat` for the
/// long-name namespace, `uid` and `gid` the owner's ids as the initial
/// user namespace sees them.
pub fn show<W: core::fmt::Write>(
    w: &mut W,
    opts: &MountOptions,
    vfat: bool,
    uid: u32,
    gid: u32,
) -> core::fmt::Result {
    if uid != 0 {
        write!(w, ",uid={}", uid)?;
    }
    if gid != 0 {
        write!(w, ",gid={}", gid)?;
    }
    write!(w, ",fmask={:04o},dmask={:04o}", opts.fmask, opts.dmask)?;
    let utime = opts.allow_utime();
    if utime != 0 {
        write!(w, ",allow_utime={:04o}", utime)?;
    }
    // Only code page 437 is accepted.
    w.write_str(",codepage=437")?;
    if vfat {
        write!(w, ",iocharset={}", charset_name(opts.iocharset))?;
        w.write_str(match (opts.shortname, opts.shortname_create) {
            (ShortnameDisplay::Win95, ShortnameCreate::Win95) => ",shortname=win95",
            (ShortnameDisplay::WinNt, ShortnameCreate::WinNt) => ",shortname=winnt",
            (ShortnameDisplay::WinNt, ShortnameCreate::Win95) => ",shortname=mixed",
            (ShortnameDisplay::Lower, ShortnameCreate::Win95) => ",shortname=lower",
            _ => ",shortname=unknown",
        })?;
    }
    match opts.check {
        NameCheck::Normal => {}
        NameCheck::Relaxed => w.write_str(",check=r")?,
        NameCheck::Strict => w.write_str(",check=s")?,
    }
    let flags: [(bool, &str); 4] = [
        (opts.usefree, ",usefree"),
        (opts.quiet, ",quiet"),
        (opts.showexec, ",showexec"),
        (opts.sys_immutable, ",sys_immutable"),
    ];
    for (on, s) in flags {
        if on {
            w.write_str(s)?;
        }
    }
    if !vfat {
        if opts.dots {
            w.write_str(",dotsOK=yes")?;
        }
        if opts.nocase {
            w.write_str(",nocase")?;
        }
    } else {
        if opts.utf8 {
            w.write_str(",utf8")?;
        }
        if opts.uni_xlate {
            w.write_str(",uni_xlate")?;
        }
        if !opts.numtail {
            w.write_str(",nonumtail")?;
        }
        if opts.rodir {
            w.write_str(",rodir")?;
        }
    }
    if opts.flush {
        w.write_str(",flush")?;
    }
    match opts.time_offset_min {
        None => {}
        Some(0) => w.write_str(",tz=UTC")?,
        Some(m) => write!(w, ",time_offset={}", m)?,
    }
    w.write_str(match opts.errors {
        Errors::Continue => ",errors=continue",
        Errors::Panic => ",errors=panic",
        Errors::RemountRo => ",errors=remount-ro",
    })?;
    if opts.nfs {
        w.write_str(",nfs=stale_rw")?;
    }
    if opts.discard {
        w.write_str(",discard")?;
    }
    if opts.dos1xfloppy {
        w.write_str(",dos1xfloppy")?;
    }
    Ok(())
}
