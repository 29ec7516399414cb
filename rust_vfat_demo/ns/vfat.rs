// SPDX-License-Identifier: GPL-2.0

//! The VFAT namespace's name rules, like `fs/fat/namei_vfat.c`: long
//! names are shown and looked up, and so are 8.3 aliases; names compare
//! without case the way vfat's `d_hash`/`d_compare` do (ISO 8859-1 lower
//! case, byte by byte, trailing dots ignored), or exactly with `check=s`;
//! and vfat's own mount options.
//!
//! Compiled into `rust_vfat` (not into the core: nothing here is exported
//! by `rust_fat`) and, for the host tests, into `fat_logic`.

use fat_disk::format::{
    char_to_cp437,
    cp437_to_char,
    DirEntry,
    FatError,
    CASE_LOWER_BASE,
    CASE_LOWER_EXT, //
};
use fat_disk::names::{
    converts_to,
    cp437_lower,
    cp437_upper,
    name_len_possible,
    put_char_xlate,
    IoCharset,
    KeyBuf,
    NameBuf,
    NameCheck,
    NameHash,
    NameSink, //
};
use fat_disk::namespace::{
    Namespace,
    NewName,
    NoKey,
    RecordNames,
    LFN_MAX_CREATE, //
};
use fat_disk::options::{
    flag,
    parse_bool,
    value,
    MountOptions,
    OptionError,
    ShortnameCreate,
    ShortnameDisplay, //
};

/// The VFAT namespace.
pub struct Vfat;

/// Appends the 8.3 name as vfat shows it, through code page 437 into `cs`:
/// with `shortname=mixed` or `winnt` (the default) the NT lower-case flags
/// apply, with `lower` everything is lower case, with `win95` nothing is.
/// A character `cs` cannot show is `?`, or with `uni_xlate` the escape
/// `:xxxx`, as in long names (`fat_parse_short` then `fat_uni_to_x8`).
pub fn vfat_short_name<S: NameSink + ?Sized>(
    e: &DirEntry,
    cs: IoCharset,
    uni_xlate: bool,
    display: ShortnameDisplay,
    out: &mut S,
) -> Result<(), FatError> {
    let (base, ext) = e.name_parts();
    let (lower_base, lower_ext) = match display {
        ShortnameDisplay::Lower => (true, true),
        ShortnameDisplay::Win95 => (false, false),
        ShortnameDisplay::WinNt => (
            e.lcase & CASE_LOWER_BASE != 0,
            e.lcase & CASE_LOWER_EXT != 0,
        ),
    };
    let put = |out: &mut S, s: &[u8], lower: bool| -> Result<(), FatError> {
        for &b in s {
            let b = if lower { cp437_lower(b) } else { b };
            put_char_xlate(out, cp437_to_char(b), cs, uni_xlate)?;
        }
        Ok(())
    };
    put(out, base, lower_base)?;
    if !ext.is_empty() {
        out.put(b'.')?;
        put(out, ext, lower_ext)?;
    }
    Ok(())
}

/// ISO 8859-1's lower-case mapping of one byte (`charset2lower` of the
/// kernel's `nls_iso8859-1`), which the C vfat applies to every name byte
/// when it compares names without case. A table, as the kernel's: this
/// runs for every byte of every name the dentry cache hashes or compares.
#[inline]
pub fn latin1_lower(b: u8) -> u8 {
    LATIN1_LOWER[usize::from(b)]
}

/// [`latin1_lower`]'s table: A-Z and the accented capitals 0xC0-0xDE
/// (but 0xD7, the multiplication sign) to their lower case.
static LATIN1_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'A'..=b'Z' | 0xc0..=0xd6 | 0xd8..=0xde => b + 0x20,
            _ => b,
        };
        i += 1;
    }
    t
};

/// `name` without trailing dots, as vfat looks names up and hashes them
/// (`vfat_striptail_len`).
#[inline]
pub fn vfat_strip_tail(name: &[u8]) -> &[u8] {
    let end = name.iter().rposition(|&c| c != b'.').map_or(0, |p| p + 1);
    &name[..end]
}

/// Whether two names are equal without case, as vfat compares them.
#[inline]
pub fn vfat_eq_nocase(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| latin1_lower(x) == latin1_lower(y))
}

/// Whether names compare with their case, as vfat compares them: with
/// `check=s` (`memcmp`), and with `iocharset=utf8`, whose NLS table folds
/// nothing (`nls_strnicmp` with its identity tables; fs/fat warns at mount
/// that the file system will be case sensitive). The `utf8` option alone
/// keeps the I/O character set's folding.
fn case_sensitive(opts: &MountOptions) -> bool {
    opts.check == NameCheck::Strict || opts.iocharset == IoCharset::Utf8
}

fn name_matches(key: &[u8], name: &[u8], opts: &MountOptions) -> bool {
    if case_sensitive(opts) {
        key == name
    } else {
        vfat_eq_nocase(key, name)
    }
}

/// A long name being made: UTF-16 units, at most [`LFN_MAX_CREATE`].
struct Units {
    u: [u16; LFN_MAX_CREATE + 2],
    len: usize,
}

impl Units {
    fn push(&mut self, v: u16) -> bool {
        match self.u.get_mut(self.len) {
            Some(slot) => {
                *slot = v;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    fn as_slice(&self) -> &[u16] {
        self.u.get(..self.len).unwrap_or(&[])
    }
}

/// Decodes one UTF-8 character at the start of `s`, as the kernel's
/// `utf8_to_utf32` (overlong forms, surrogates and values past U+10FFFF
/// refused): the scalar and its length.
fn utf8_char(s: &[u8]) -> Option<(u32, usize)> {
    let c0 = *s.first()?;
    let (n, init, min) = match c0 {
        0x00..=0x7f => return Some((u32::from(c0), 1)),
        0xc0..=0xdf => (2, u32::from(c0 & 0x1f), 0x80),
        0xe0..=0xef => (3, u32::from(c0 & 0x0f), 0x800),
        0xf0..=0xf7 => (4, u32::from(c0 & 0x07), 0x1_0000),
        _ => return None,
    };
    let mut v = init;
    for i in 1..n {
        let c = *s.get(i)?;
        if c & 0xc0 != 0x80 {
            return None;
        }
        v = (v << 6) | u32::from(c & 0x3f);
    }
    if v < min || v > 0x10_ffff || (0xd800..=0xdfff).contains(&v) {
        return None;
    }
    Some((v, n))
}

/// The name as UTF-16, as `xlate_to_uni`: UTF-8 with `utf8` (at most 255
/// units: `ENAMETOOLONG`), else one unit per character of the I/O
/// character set, `:xxxx` escapes with `uni_xlate`.
fn to_units(name: &[u8], opts: &MountOptions, out: &mut Units) -> Result<(), FatError> {
    if opts.utf8 && !opts.uni_xlate {
        // utf8s_to_utf16s with room for 257 units: more than 255 is too long.
        let mut rest = name;
        while let Some(&c) = rest.first() {
            if c == 0 || out.len >= LFN_MAX_CREATE + 2 {
                break;
            }
            let (v, n) = utf8_char(rest).ok_or(FatError::InvalidName)?;
            if v >= 0x1_0000 {
                if out.len + 2 > LFN_MAX_CREATE + 2 {
                    break;
                }
                let v = v - 0x1_0000;
                out.push(0xd800 | (v >> 10) as u16);
                out.push(0xdc00 | (v & 0x3ff) as u16);
            } else {
                out.push(v as u16);
            }
            rest = rest.get(n..).unwrap_or(&[]);
        }
        if out.len > LFN_MAX_CREATE {
            return Err(FatError::NameTooLong);
        }
        return Ok(());
    }
    let mut i = 0usize;
    while i < name.len() && out.len < LFN_MAX_CREATE {
        let c = name[i];
        if opts.uni_xlate && c == b':' {
            let hex = name.get(i + 1..i + 5).ok_or(FatError::InvalidName)?;
            let mut v = 0u16;
            for &h in hex {
                let d = char::from(h).to_digit(16).ok_or(FatError::InvalidName)?;
                v = (v << 4) | d as u16;
            }
            out.push(v);
            i += 5;
            continue;
        }
        let (v, n) = match opts.iocharset {
            IoCharset::Latin1 => (u32::from(c), 1),
            IoCharset::Ascii => (u32::from(c), 1),
            IoCharset::Utf8 => utf8_char(&name[i..]).ok_or(FatError::InvalidName)?,
        };
        let bad = v == 0 || (opts.iocharset == IoCharset::Ascii && v >= 0x80) || v > 0xffff;
        if bad {
            return Err(FatError::InvalidName);
        }
        out.push(v as u16);
        i += n;
    }
    if i < name.len() {
        return Err(FatError::NameTooLong);
    }
    Ok(())
}

/// Characters no vfat name may hold (`vfat_bad_char`).
fn bad_char(w: u16) -> bool {
    w < 0x20
        || matches!(
            w,
            0x2a | 0x3f | 0x3c | 0x3e | 0x7c | 0x22 | 0x3a | 0x2f | 0x5c
        )
}

/// Characters an alias gets as `_` (`vfat_replace_char`).
fn replace_char(w: u16) -> bool {
    matches!(w, 0x5b | 0x5d | 0x3b | 0x2c | 0x2b | 0x3d)
}

/// Characters an alias leaves out (`vfat_skip_char`).
fn skip_char(w: u16) -> bool {
    w == u16::from(b'.') || w == u16::from(b' ')
}

/// What the characters of one part of a name said (`shortname_info`).
#[derive(Clone, Copy)]
struct PartInfo {
    lower: bool,
    upper: bool,
    valid: bool,
}

impl PartInfo {
    const fn new() -> Self {
        PartInfo {
            lower: true,
            upper: true,
            valid: true,
        }
    }
}

/// One character of an alias in code page 437, as `to_shortname_char`:
/// `None` when left out.
fn alias_char(w: u16, info: &mut PartInfo) -> Option<u8> {
    if skip_char(w) {
        info.valid = false;
        return None;
    }
    if replace_char(w) {
        info.valid = false;
        return Some(b'_');
    }
    let Some(b) = char_to_cp437(w) else {
        info.valid = false;
        return Some(b'_');
    };
    if b >= 0x7f {
        info.lower = false;
        info.upper = false;
    }
    let up = cp437_upper(b);
    // The kernel's isalpha: ASCII letters and ISO 8859-1's (0xC0..=0xFF
    // but 0xD7 and 0xF7), on the code page 437 byte.
    let alpha = up.is_ascii_alphabetic() || (up >= 0xc0 && up != 0xd7 && up != 0xf7);
    if alpha {
        if up == b {
            info.lower = false;
        } else {
            info.upper = false;
        }
    }
    Some(up)
}

/// What [`vfat_create_shortname`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortname {
    /// The 8.3 name alone holds the name (no long name is written).
    Only,
    /// The 8.3 name is an alias: the long name is written too.
    Alias,
}

/// Makes the 8.3 name of the long name `uname`, as
/// `vfat_create_shortname` in `fs/fat/namei_vfat.c`: into `name_res` (as
/// stored) and `lcase`. `taken` says whether a record of the directory
/// has an 8.3 name; `tick` stands for `jiffies` in the hashed tail.
pub fn vfat_create_shortname(
    uname: &[u16],
    opts: &MountOptions,
    tick: u64,
    taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
    name_res: &mut [u8; 11],
    lcase: &mut u8,
) -> Result<Shortname, FatError> {
    let ulen = uname.len();
    let mut is_shortname = true;
    let mut base_info = PartInfo::new();
    let mut ext_info = PartInfo::new();
    // The extension: after the last dot, unless the dot ends the name or
    // only dots and spaces come before it.
    let (sz, ext_start) = match uname.iter().rposition(|&w| w == u16::from(b'.')) {
        None => (ulen, None),
        Some(p) if p + 1 == ulen => (ulen, None),
        Some(p) => {
            if uname[..p].iter().all(|&w| skip_char(w)) {
                (ulen, None)
            } else {
                (p, Some(p + 1))
            }
        }
    };
    let numtail_baselen = 6usize;
    let numtail2_baselen = 2usize;
    let mut base = [b' '; 8];
    let mut baselen = 0usize;
    for (i, &w) in uname.iter().enumerate().take(sz) {
        let Some(b) = alias_char(w, &mut base_info) else {
            continue;
        };
        base[baselen] = b;
        baselen += 1;
        if baselen >= 8 {
            if i + 1 < sz {
                is_shortname = false;
            }
            break;
        }
    }
    if baselen == 0 {
        return Err(FatError::InvalidName);
    }
    let mut ext = [b' '; 3];
    let mut extlen = 0usize;
    if let Some(es) = ext_start {
        for (i, &w) in uname.iter().enumerate().skip(es) {
            if extlen >= 3 {
                break;
            }
            let Some(b) = alias_char(w, &mut ext_info) else {
                continue;
            };
            ext[extlen] = b;
            extlen += 1;
            if extlen >= 3 {
                if i + 1 != ulen {
                    is_shortname = false;
                }
                break;
            }
        }
    }
    if base[0] == 0xe5 {
        base[0] = 0x05;
    }
    *name_res = [b' '; 11];
    name_res[..8].copy_from_slice(&base);
    name_res[8..].copy_from_slice(&ext);
    *lcase = 0;
    if is_shortname && base_info.valid && ext_info.valid {
        if taken(name_res)? {
            return Err(FatError::Exists);
        }
        return Ok(match opts.shortname_create {
            ShortnameCreate::Win95 => {
                if base_info.upper && ext_info.upper {
                    Shortname::Only
                } else {
                    Shortname::Alias
                }
            }
            ShortnameCreate::WinNt => {
                if (base_info.upper || base_info.lower) && (ext_info.upper || ext_info.lower) {
                    if !base_info.upper && base_info.lower {
                        *lcase |= CASE_LOWER_BASE;
                    }
                    if !ext_info.upper && ext_info.lower {
                        *lcase |= CASE_LOWER_EXT;
                    }
                    Shortname::Only
                } else {
                    Shortname::Alias
                }
            }
        });
    }
    if !opts.numtail && !taken(name_res)? {
        return Ok(Shortname::Alias);
    }
    // ~1 to ~9 after at most six characters.
    if baselen > 6 {
        baselen = numtail_baselen;
        name_res[7] = b' ';
    }
    name_res[baselen] = b'~';
    for d in 1..10u8 {
        name_res[baselen + 1] = b'0' + d;
        if !taken(name_res)? {
            return Ok(Shortname::Alias);
        }
    }
    // Then four hexadecimal digits from the clock and ~1 to ~8.
    let mut i = tick as u32;
    let sz = ((tick >> 16) & 7) as u8;
    if baselen > 2 {
        baselen = numtail2_baselen;
        name_res[7] = b' ';
    }
    name_res[baselen + 4] = b'~';
    name_res[baselen + 5] = b'1' + sz;
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for _ in 0..=0xffff {
        for (k, shift) in [12u32, 8, 4, 0].iter().enumerate() {
            name_res[baselen + k] = HEX[((i >> shift) & 0xf) as usize];
        }
        if !taken(name_res)? {
            return Ok(Shortname::Alias);
        }
        i = i.wrapping_sub(11);
    }
    Err(FatError::NoSpace)
}

/// The on-disk name of a new vfat record called `name`, as
/// `vfat_build_slots` makes it (after `vfat_add_entry` strips trailing
/// dots).
pub fn vfat_new_name(
    name: &[u8],
    opts: &MountOptions,
    tick: u64,
    taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
    out: &mut NewName,
) -> Result<(), FatError> {
    let name = vfat_strip_tail(name);
    if name.is_empty() {
        return Err(FatError::NotFound);
    }
    let mut units = Units {
        u: [0; LFN_MAX_CREATE + 2],
        len: 0,
    };
    to_units(name, opts, &mut units)?;
    let u = units.as_slice();
    if u.iter().any(|&w| bad_char(w)) || u.last() == Some(&u16::from(b' ')) {
        return Err(FatError::InvalidName);
    }
    let mut short = [b' '; 11];
    let mut lcase = 0u8;
    let kind = vfat_create_shortname(u, opts, tick, taken, &mut short, &mut lcase)?;
    *out = NewName::new();
    out.short = short;
    out.lcase = lcase;
    if kind == Shortname::Alias {
        out.long_len = u.len();
        out.long
            .get_mut(..u.len())
            .ok_or(FatError::NameTooLong)?
            .copy_from_slice(u);
    }
    Ok(())
}

impl Namespace for Vfat {
    fn long_names(&self) -> bool {
        true
    }

    fn namelen(&self) -> u32 {
        255 * 6
    }

    fn default_utf8(&self) -> bool {
        true
    }

    /// `vfat_param_spec`.
    fn parse_option(
        &self,
        opts: &mut MountOptions,
        key: &[u8],
        val: Option<&[u8]>,
    ) -> Result<(), OptionError> {
        let bad = OptionError::BadValue;
        match key {
            // vfat's old spelling of shortname=win95.
            b"nocase" => {
                flag(val)?;
                opts.shortname = ShortnameDisplay::Win95;
                opts.shortname_create = ShortnameCreate::Win95;
            }
            b"iocharset" => {
                // As in fs/fat: the character set for when `utf8` is off
                // (`iocharset=utf8` is the UTF-8 table: UTF-8 either way).
                match value(val)? {
                    b"utf8" => opts.iocharset = IoCharset::Utf8,
                    b"iso8859-1" | b"default" => opts.iocharset = IoCharset::Latin1,
                    b"ascii" => opts.iocharset = IoCharset::Ascii,
                    _ => return Err(OptionError::Unsupported),
                }
            }
            b"shortname" => {
                (opts.shortname, opts.shortname_create) = match value(val)? {
                    b"lower" => (ShortnameDisplay::Lower, ShortnameCreate::Win95),
                    b"win95" => (ShortnameDisplay::Win95, ShortnameCreate::Win95),
                    b"winnt" => (ShortnameDisplay::WinNt, ShortnameCreate::WinNt),
                    b"mixed" => (ShortnameDisplay::WinNt, ShortnameCreate::Win95),
                    _ => return Err(bad),
                }
            }
            b"utf8" | b"uni_xlate" | b"nonumtail" => {
                let on = match val {
                    None => true,
                    Some(v) => parse_bool(v).ok_or(bad)?,
                };
                match key {
                    b"utf8" => opts.utf8 = on,
                    b"uni_xlate" => opts.uni_xlate = on,
                    _ => opts.numtail = !on,
                }
            }
            b"rodir" => {
                flag(val)?;
                opts.rodir = true;
            }
            _ => return Err(OptionError::Unknown),
        }
        Ok(())
    }

    fn rodir(&self) -> bool {
        false
    }

    fn keeps_times(&self) -> bool {
        true
    }

    fn one_alias(&self) -> bool {
        true
    }

    fn display_name(
        &self,
        e: &DirEntry,
        opts: &MountOptions,
        out: &mut NameBuf,
    ) -> Result<(), FatError> {
        vfat_short_name(e, opts.charset(), opts.uni_xlate, opts.shortname, out)
    }

    fn lookup_key(&self, name: &[u8], _opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey> {
        let name = vfat_strip_tail(name);
        // Only dots, or longer than any record can show: names nothing.
        if name.is_empty() || !name_len_possible(name.len()) {
            return Err(NoKey);
        }
        key.extend(name).map_err(|_| NoKey)
    }

    fn matches(&self, key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool {
        // One instance per case rule, so that the fold inlines into the
        // byte loop; each name is converted only as far as it agrees.
        let short_is = |fold: fn(u8) -> u8| {
            converts_to(key, fold, |c| {
                vfat_short_name(
                    names.entry,
                    opts.charset(),
                    opts.uni_xlate,
                    opts.shortname,
                    c,
                )
            })
        };
        if case_sensitive(opts) {
            short_is(core::convert::identity) || names.long_is(key, core::convert::identity)
        } else {
            short_is(latin1_lower) || names.long_is(key, latin1_lower)
        }
    }

    fn hash_name(
        &self,
        name: &[u8],
        opts: &MountOptions,
        hash: &mut NameHash,
    ) -> Result<(), NoKey> {
        // The hash runs on every path-walk step: the case rule is decided
        // once, the per-byte steps inline.
        let name = vfat_strip_tail(name);
        if case_sensitive(opts) {
            name.iter().for_each(|&b| hash.push(b));
        } else {
            name.iter().for_each(|&b| hash.push(latin1_lower(b)));
        }
        Ok(())
    }

    fn names_equal(&self, a: &[u8], b: &[u8], opts: &MountOptions) -> bool {
        name_matches(vfat_strip_tail(a), vfat_strip_tail(b), opts)
    }

    fn new_name(
        &self,
        name: &[u8],
        opts: &MountOptions,
        tick: u64,
        taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
        out: &mut NewName,
    ) -> Result<(), FatError> {
        vfat_new_name(name, opts, tick, taken, out)
    }
}
