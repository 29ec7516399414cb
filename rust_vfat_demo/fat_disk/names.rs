// SPDX-License-Identifier: GPL-2.0

//! Names as the kernel's C drivers show and match them.
//!
//! vfat (`fs/fat/dir.c`, `fs/fat/namei_vfat.c`): long names from UTF-16,
//! 8.3 names through code page 437 with the NT lower-case flags
//! (`shortname=mixed`), both in the I/O character set (UTF-8 with `utf8`,
//! else ISO 8859-1, unmappable characters as `?`), compared without case by
//! ISO 8859-1's lower-case table, byte by byte, as the C driver does even
//! for UTF-8 names, with trailing dots ignored.
//!
//! msdos (`fs/fat/namei_msdos.c`): 8.3 names only, shown lower-cased
//! (ASCII letters) unless `nocase`, looked up by formatting the name into
//! the 11-byte stored form.

use crate::format::{
    cp437_to_char,
    DirEntry,
    FatError,
    CASE_LOWER_BASE,
    CASE_LOWER_EXT, //
};
use crate::options::ShortnameDisplay;

/// The longest name, in bytes, that a directory record can show, and so the
/// longest that lookup must accept: the one rule both paths share, so that
/// every name readdir gives is found by lookup. A record holds at most
/// `MAX_LFN_UNITS` (260) UTF-16 units, each at most 5 bytes (the `:xxxx`
/// escape of `uni_xlate`; UTF-8 needs 3). As in C, this is not `NAME_MAX`:
/// a 20-slot long name without terminator is 260 units, and `vfat` shows
/// it and finds it.
pub const NAME_MAX_BYTES: usize = crate::dir::MAX_LFN_UNITS * 5;

/// Room for a lookup key: whatever [`NAME_MAX_BYTES`] allows a record to
/// show must fit, so that no shown name is refused as too long. 1,300
/// bytes: callers keep it on the heap, not on the stack of a path walk.
pub const KEY_MAX_BYTES: usize = NAME_MAX_BYTES;

/// Whether a name of `len` bytes could be shown by a record at all; a
/// longer one names nothing (`ENOENT`, as in C, not `ENAMETOOLONG`).
pub fn name_len_possible(len: usize) -> bool {
    len <= NAME_MAX_BYTES
}

/// A name being built, without allocation, of at most `N` bytes.
pub struct NameBuf<const N: usize = NAME_MAX_BYTES> {
    buf: [u8; N],
    len: usize,
}

/// A lookup key built from a name the VFS hands over (see
/// [`KEY_MAX_BYTES`]).
pub type KeyBuf = NameBuf<KEY_MAX_BYTES>;

/// A dentry name hash fed one byte at a time, so that a name of any length
/// is hashed without a buffer (`d_hash` runs in RCU path walks, where
/// neither a large stack frame nor an allocation is welcome). The steps are
/// the kernel's `init_name_hash`, `partial_name_hash` and `end_name_hash`
/// on a 64-bit kernel, as the C vfat's `vfat_hashi` uses them; only
/// agreement with itself matters (every hash of a mount is made here).
#[derive(Clone, Copy, Debug)]
pub struct NameHash(u64);

impl NameHash {
    /// A hash salted with `salt` (the parent dentry's address).
    #[inline]
    pub const fn new(salt: u64) -> Self {
        NameHash(salt)
    }

    /// Adds one byte.
    #[inline]
    pub fn push(&mut self, b: u8) {
        let c = u64::from(b);
        self.0 = self
            .0
            .wrapping_add(c << 4)
            .wrapping_add(c >> 4)
            .wrapping_mul(11);
    }

    /// The final 32-bit hash (`hash_64(h, 32)`).
    #[inline]
    pub fn finish(&self) -> u32 {
        (self.0.wrapping_mul(0x61c8_8646_80b5_83eb) >> 32) as u32
    }
}

impl<const N: usize> Default for NameBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> NameBuf<N> {
    /// An empty name.
    pub const fn new() -> Self {
        NameBuf {
            buf: [0; N],
            len: 0,
        }
    }

    /// Empties the buffer.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Appends one byte.
    pub fn push(&mut self, b: u8) -> Result<(), FatError> {
        let slot = self.buf.get_mut(self.len).ok_or(FatError::TooLarge)?;
        *slot = b;
        self.len += 1;
        Ok(())
    }

    /// Appends bytes.
    pub fn extend(&mut self, s: &[u8]) -> Result<(), FatError> {
        for &b in s {
            self.push(b)?;
        }
        Ok(())
    }

    /// Appends `c` in the character set `cs`.
    pub fn push_char(&mut self, c: char, cs: IoCharset) -> Result<(), FatError> {
        put_char(self, c, cs)
    }
}

/// Where the bytes of a name being converted go: a [`NameBuf`] that keeps
/// them (readdir), or a [`KeyCompare`] that checks them against a lookup
/// key and stops at the first difference (lookup). One conversion serves
/// both, so a name is found exactly as it is shown.
pub trait NameSink {
    /// Takes the next byte of the name.
    fn put(&mut self, b: u8) -> Result<(), FatError>;
}

impl<const N: usize> NameSink for NameBuf<N> {
    fn put(&mut self, b: u8) -> Result<(), FatError> {
        self.push(b)
    }
}

/// Compares the bytes a name conversion produces with a key, each byte of
/// both through `fold` (the namespace's case rule), failing the conversion
/// with [`FatError::NameDiffers`] at the first byte that differs or is one
/// too many: a record that does not match costs only the bytes up to the
/// difference.
pub struct KeyCompare<'a, F> {
    key: &'a [u8],
    at: usize,
    fold: F,
}

impl<'a, F: Fn(u8) -> u8> KeyCompare<'a, F> {
    /// A comparison with `key` from its start.
    pub fn new(key: &'a [u8], fold: F) -> Self {
        KeyCompare { key, at: 0, fold }
    }

    /// Whether a conversion that ran to its end gave exactly the key.
    pub fn matched(&self) -> bool {
        self.at == self.key.len()
    }
}

impl<F: Fn(u8) -> u8> NameSink for KeyCompare<'_, F> {
    fn put(&mut self, b: u8) -> Result<(), FatError> {
        match self.key.get(self.at) {
            Some(&k) if (self.fold)(k) == (self.fold)(b) => {
                self.at += 1;
                Ok(())
            }
            _ => Err(FatError::NameDiffers),
        }
    }
}

/// Whether the conversion `convert` gives exactly `key` under `fold`.
pub fn converts_to<F: Fn(u8) -> u8>(
    key: &[u8],
    fold: F,
    convert: impl FnOnce(&mut KeyCompare<'_, F>) -> Result<(), FatError>,
) -> bool {
    let mut cmp = KeyCompare::new(key, fold);
    convert(&mut cmp).is_ok() && cmp.matched()
}

/// Puts `c` in the character set `cs` into `out`.
pub fn put_char<S: NameSink + ?Sized>(out: &mut S, c: char, cs: IoCharset) -> Result<(), FatError> {
    match cs {
        IoCharset::Utf8 => {
            let mut b = [0u8; 4];
            for &x in c.encode_utf8(&mut b).as_bytes() {
                out.put(x)?;
            }
            Ok(())
        }
        IoCharset::Latin1 => out.put(u8::try_from(u32::from(c)).unwrap_or(b'?')),
        IoCharset::Ascii => out.put(
            u8::try_from(u32::from(c))
                .ok()
                .filter(u8::is_ascii)
                .unwrap_or(b'?'),
        ),
    }
}

/// The character set names are shown and looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoCharset {
    /// UTF-8 (`utf8`, `iocharset=utf8`).
    Utf8,
    /// ISO 8859-1 (`iocharset=iso8859-1`), the project's kernel's default.
    Latin1,
    /// ASCII (`iocharset=ascii`), the default of a kernel built with
    /// `CONFIG_FAT_DEFAULT_IOCHARSET="ascii"` (Debian's).
    Ascii,
}

/// Appends a long name's UTF-16 `units` in `cs`, the way the C driver's
/// `fat_uni_to_x8` does: in UTF-8, surrogates that do not pair are
/// skipped; in ISO 8859-1 a unit above 0xFF (in ASCII, above 0x7F)
/// becomes `?`, or with `uni_xlate` the escape `:xxxx` (hexadecimal, lower
/// case).
pub fn long_name<S: NameSink + ?Sized>(
    units: &[u16],
    cs: IoCharset,
    uni_xlate: bool,
    out: &mut S,
) -> Result<(), FatError> {
    match cs {
        IoCharset::Utf8 => {
            for c in char::decode_utf16(units.iter().copied()).flatten() {
                if c.is_ascii() {
                    // Most names: one byte, no encoding step.
                    out.put(c as u8)?;
                } else {
                    put_char(out, c, cs)?;
                }
            }
        }
        IoCharset::Latin1 | IoCharset::Ascii => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for &u in units {
                let mapped = u8::try_from(u)
                    .ok()
                    .filter(|b| cs == IoCharset::Latin1 || b.is_ascii());
                match mapped {
                    Some(b) => out.put(b)?,
                    None if uni_xlate => {
                        out.put(b':')?;
                        for shift in [12, 8, 4, 0] {
                            out.put(HEX[usize::from((u >> shift) & 0xf)])?;
                        }
                    }
                    None => out.put(b'?')?,
                }
            }
        }
    }
    Ok(())
}

/// Code page 437's lower-case mapping of one byte (`charset2lower` of the
/// kernel's `nls_cp437`: ASCII letters and ten accented capitals).
pub fn cp437_lower(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b + 0x20,
        0x80 => 0x87,
        0x8e => 0x84,
        0x8f => 0x86,
        0x90 => 0x82,
        0x92 => 0x91,
        0x99 => 0x94,
        0x9a => 0x81,
        0xa5 => 0xa4,
        0xe4 => 0xe5,
        0xe8 => 0xed,
        _ => b,
    }
}

/// Appends the 8.3 name as vfat shows it, through code page 437 into `cs`:
/// with `shortname=mixed` or `winnt` (the default) the NT lower-case flags
/// apply, with `lower` everything is lower case, with `win95` nothing is.
pub fn vfat_short_name<S: NameSink + ?Sized>(
    e: &DirEntry,
    cs: IoCharset,
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
            put_char(out, cp437_to_char(b), cs)?;
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

/// Appends the 8.3 name as msdos shows it: the stored bytes, ASCII letters
/// lower-cased unless `nocase`, a `.` before a hidden file's name with
/// `dots`.
pub fn msdos_short_name<const N: usize>(
    e: &DirEntry,
    nocase: bool,
    dot_hidden: bool,
    out: &mut NameBuf<N>,
) -> Result<(), FatError> {
    let (base, ext) = e.name_parts();
    if base.is_empty() && ext.is_empty() {
        return Ok(());
    }
    if dot_hidden && e.attr & crate::format::attr::HIDDEN != 0 {
        out.push(b'.')?;
    }
    let conv = |b: u8| if nocase { b } else { b.to_ascii_lowercase() };
    for &b in base {
        out.push(conv(b))?;
    }
    if !ext.is_empty() {
        out.push(b'.')?;
        for &b in ext {
            out.push(conv(b))?;
        }
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

/// Builds in `key` what vfat looks `name` up by: the name without its
/// trailing dots (`vfat_find`). A name that is only dots, or longer than
/// any record can show ([`name_len_possible`]), names nothing.
pub fn vfat_lookup_key(name: &[u8], key: &mut KeyBuf) -> Result<(), FatError> {
    let name = vfat_strip_tail(name);
    if name.is_empty() || !name_len_possible(name.len()) {
        return Err(FatError::BadName);
    }
    key.extend(name)
}

/// Whether vfat's lookup key `key` names a record shown as `name`: equal
/// without case (ISO 8859-1, as `vfat_cmpi`), or exactly with `check=s`.
#[inline]
pub fn vfat_key_matches(key: &[u8], name: &[u8], case_sensitive: bool) -> bool {
    if case_sensitive {
        key == name
    } else {
        vfat_eq_nocase(key, name)
    }
}

/// The names a directory record is known by, as a mount shows them,
/// converted only as far as a comparison needs (see [`KeyCompare`]).
#[derive(Clone, Copy)]
pub struct RecordNames<'a> {
    /// The short entry.
    pub entry: &'a DirEntry,
    /// The long name's UTF-16 units, if the record has one.
    pub long: Option<&'a [u16]>,
    /// The mount's I/O character set.
    pub charset: IoCharset,
    /// The mount's `uni_xlate`.
    pub uni_xlate: bool,
    /// How the mount shows 8.3 names (`shortname=`).
    pub shortname: ShortnameDisplay,
}

impl RecordNames<'_> {
    /// Whether the 8.3 name, as vfat shows it, is `key` under `fold`.
    pub fn short_is(&self, key: &[u8], fold: impl Fn(u8) -> u8) -> bool {
        converts_to(key, fold, |c| {
            vfat_short_name(self.entry, self.charset, self.shortname, c)
        })
    }

    /// Whether the long name, as vfat shows it, is `key` under `fold`.
    pub fn long_is(&self, key: &[u8], fold: impl Fn(u8) -> u8) -> bool {
        self.long.is_some_and(|units| {
            converts_to(key, fold, |c| {
                long_name(units, self.charset, self.uni_xlate, c)
            })
        })
    }
}

/// Whether vfat's lookup key `key` names the record `names`: its 8.3 or
/// its long name, as readdir shows them, equal to the key without case
/// (ISO 8859-1, byte by byte, as `vfat_cmpi`) or exactly with `check=s`.
pub fn vfat_record_matches(key: &[u8], names: &RecordNames<'_>, case_sensitive: bool) -> bool {
    // One instance per rule, so that the fold inlines into the byte loop.
    if case_sensitive {
        names.short_is(key, core::convert::identity) || names.long_is(key, core::convert::identity)
    } else {
        names.short_is(key, latin1_lower) || names.long_is(key, latin1_lower)
    }
}

/// Whether two names are equal without case, as vfat compares them.
#[inline]
pub fn vfat_eq_nocase(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| latin1_lower(x) == latin1_lower(y))
}

/// Why msdos refuses a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsdosNameError {
    /// Not a name an 8.3 directory entry can hold (`EINVAL` in the C driver).
    Invalid,
}

/// Characters msdos refuses unless `check=relaxed` (`bad_chars`).
const MSDOS_BAD_CHARS: &[u8] = b"*?<>|\"";
/// Characters only `check=strict` refuses (`bad_if_strict`).
const MSDOS_BAD_IF_STRICT: &[u8] = b"+=,; ";

/// The `check=` mode of msdos name checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameCheck {
    /// `check=relaxed`.
    Relaxed,
    /// `check=normal`, the default.
    Normal,
    /// `check=strict`.
    Strict,
}

/// Formats `name` into the 11-byte stored form, as the C msdos driver's
/// `msdos_format_name` does (its quirks included: characters past the
/// eighth of the base are skipped unchecked; `strict` refuses upper case).
pub fn msdos_format_name(
    name: &[u8],
    check: NameCheck,
    nocase: bool,
    dot_hidden: bool,
) -> Result<[u8; 11], MsdosNameError> {
    let mut name = name;
    if name.len() > 255 {
        return Err(MsdosNameError::Invalid);
    }
    if let Some((&b'.', tail)) = name.split_first() {
        if !dot_hidden {
            return Err(MsdosNameError::Invalid);
        }
        name = tail;
    }
    let bad = |c: u8| {
        (c == 0 || (check != NameCheck::Relaxed && MSDOS_BAD_CHARS.contains(&c)))
            || (check == NameCheck::Strict && MSDOS_BAD_IF_STRICT.contains(&c))
            || c < b' '
            || c == b':'
            || c == b'\\'
    };
    let conv = |c: u8| {
        if !nocase && c.is_ascii_lowercase() {
            c - 32
        } else {
            c
        }
    };
    let mut res = [b' '; 11];
    let mut it = name.iter();
    let mut space = true;
    let mut c = 0u8;
    let mut walk = 0;
    while walk < 8 {
        let Some(&n) = it.next() else { break };
        c = n;
        if bad(c) || (c.is_ascii_uppercase() && check == NameCheck::Strict) {
            return Err(MsdosNameError::Invalid);
        }
        if walk == 0 && c == 0xe5 {
            c = 0x05;
        }
        if c == b'.' {
            break;
        }
        space = c == b' ';
        res[walk] = conv(c);
        walk += 1;
    }
    if space {
        return Err(MsdosNameError::Invalid);
    }
    let mut rest = it.as_slice();
    if check == NameCheck::Strict && !rest.is_empty() && c != b'.' {
        c = rest[0];
        rest = &rest[1..];
        if c != b'.' {
            return Err(MsdosNameError::Invalid);
        }
    }
    while c != b'.' {
        let Some((&n, tail)) = rest.split_first() else {
            break;
        };
        c = n;
        rest = tail;
    }
    if c == b'.' {
        let mut walk = 8;
        while walk < 11 {
            let Some((&n, tail)) = rest.split_first() else {
                break;
            };
            rest = tail;
            let c = n;
            if bad(c) {
                return Err(MsdosNameError::Invalid);
            }
            if c == b'.' {
                if check == NameCheck::Strict {
                    return Err(MsdosNameError::Invalid);
                }
                break;
            }
            if c.is_ascii_uppercase() && check == NameCheck::Strict {
                return Err(MsdosNameError::Invalid);
            }
            space = c == b' ';
            res[walk] = conv(c);
            walk += 1;
        }
        if space {
            return Err(MsdosNameError::Invalid);
        }
        if check == NameCheck::Strict && !rest.is_empty() {
            return Err(MsdosNameError::Invalid);
        }
    }
    Ok(res)
}
