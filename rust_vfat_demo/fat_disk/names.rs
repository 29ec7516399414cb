// SPDX-License-Identifier: GPL-2.0

//! The name services of the FAT core, as `fs/fat/dir.c` and the NLS
//! tables give them to the namespaces: name buffers, long names from
//! UTF-16 into the I/O character set (UTF-8 with `utf8`, else ISO 8859-1,
//! unmappable characters as `?` or `:xxxx` escapes), code page 437's
//! lower-case table, and the `check=` mode.
//!
//! The namespaces' own rules (how 8.3 names are shown, names compared,
//! hashed and looked up) are in `ns/vfat.rs` and `ns/msdos.rs`, behind
//! [`crate::namespace::Namespace`].

use crate::format::FatError;

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

/// How many of the leading units of `units` satisfy `fine`, looked at four
/// at a time as one 64-bit word where `word_fine` says all four do: the
/// kernel builds without vector registers, and readdir and lookup scan
/// every long name's units. `word_fine` must be true of a word only if
/// `fine` is true of each of its four units.
#[inline]
fn leading_units(
    units: &[u16],
    word_fine: impl Fn(u64) -> bool,
    fine: impl Fn(u16) -> bool,
) -> usize {
    let mut n = 0;
    for c in units.chunks_exact(4) {
        let w = u64::from(c[0])
            | (u64::from(c[1]) << 16)
            | (u64::from(c[2]) << 32)
            | (u64::from(c[3]) << 48);
        if !word_fine(w) {
            break;
        }
        n += 4;
    }
    let rest = units.get(n..).unwrap_or(&[]);
    n + rest.iter().position(|&u| !fine(u)).unwrap_or(rest.len())
}

/// The index of the first 0 unit of `units` (a long name's terminator),
/// else `units.len()`.
#[inline]
pub fn units_before_nul(units: &[u16]) -> usize {
    const ONES: u64 = 0x0001_0001_0001_0001;
    const HIGHS: u64 = 0x8000_8000_8000_8000;
    // A word has a zero unit iff `(w - ONES) & !w & HIGHS` is non-zero.
    leading_units(
        units,
        |w| w.wrapping_sub(ONES) & !w & HIGHS == 0,
        |u| u != 0,
    )
}

/// How many leading units of `units` are ASCII.
#[inline]
pub fn ascii_units(units: &[u16]) -> usize {
    leading_units(units, |w| w & 0xff80_ff80_ff80_ff80 == 0, |u| u < 0x80)
}

/// Where the bytes of a name being converted go: a [`NameBuf`] that keeps
/// them (readdir), or a [`KeyCompare`] that checks them against a lookup
/// key and stops at the first difference (lookup). One conversion serves
/// both, so a name is found exactly as it is shown.
pub trait NameSink {
    /// Takes the next byte of the name.
    fn put(&mut self, b: u8) -> Result<(), FatError>;

    /// Takes the leading units of `units` that are ASCII, one byte each,
    /// and returns how many it took.
    fn put_ascii(&mut self, units: &[u16]) -> Result<usize, FatError> {
        let mut n = 0;
        for &u in units {
            if u >= 0x80 {
                break;
            }
            self.put(u as u8)?;
            n += 1;
        }
        Ok(n)
    }
}

impl<const N: usize> NameSink for NameBuf<N> {
    #[inline]
    fn put(&mut self, b: u8) -> Result<(), FatError> {
        self.push(b)
    }

    /// One room check and a copy for the whole run: most long names are
    /// ASCII, and readdir converts one for every record it shows.
    #[inline]
    fn put_ascii(&mut self, units: &[u16]) -> Result<usize, FatError> {
        let n = ascii_units(units);
        let src = units.get(..n).unwrap_or(&[]);
        let dst = self
            .buf
            .get_mut(self.len..self.len + n)
            .ok_or(FatError::TooLarge)?;
        for (d, &u) in dst.iter_mut().zip(src) {
            *d = u as u8;
        }
        self.len += n;
        Ok(n)
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
    #[inline]
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
#[inline]
pub fn converts_to<F: Fn(u8) -> u8>(
    key: &[u8],
    fold: F,
    convert: impl FnOnce(&mut KeyCompare<'_, F>) -> Result<(), FatError>,
) -> bool {
    let mut cmp = KeyCompare::new(key, fold);
    convert(&mut cmp).is_ok() && cmp.matched()
}

/// Puts `c` in the character set `cs` into `out`.
#[inline]
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

/// Appends `c` as [`put_char`] does, but a character `cs` cannot show
/// becomes the escape `:xxxx` (hexadecimal, lower case) with `uni_xlate`,
/// as `fat_uni_to_x8` writes it, instead of `?`.
pub fn put_char_xlate<S: NameSink + ?Sized>(
    out: &mut S,
    c: char,
    cs: IoCharset,
    uni_xlate: bool,
) -> Result<(), FatError> {
    let v = u32::from(c);
    let shown = match cs {
        IoCharset::Utf8 => true,
        IoCharset::Latin1 => v <= 0xff,
        IoCharset::Ascii => v <= 0x7f,
    };
    // Code page 437 maps every byte into the Basic Multilingual Plane.
    match u16::try_from(v) {
        Ok(u) if !shown && uni_xlate => put_escape(out, u),
        _ => put_char(out, c, cs),
    }
}

/// Appends the `uni_xlate` escape of the UTF-16 unit `u`: `:` and four
/// lower-case hexadecimal digits, as `fat_uni_to_x8` writes it.
fn put_escape<S: NameSink + ?Sized>(out: &mut S, u: u16) -> Result<(), FatError> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put(b':')?;
    for shift in [12, 8, 4, 0] {
        out.put(HEX[usize::from((u >> shift) & 0xf)])?;
    }
    Ok(())
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
            let mut rest = units;
            loop {
                // Most names: ASCII runs, one byte a unit, no decoding or
                // encoding step.
                let n = out.put_ascii(rest)?;
                rest = rest.get(n..).unwrap_or(&[]);
                let Some((_, tail)) = rest.split_first() else {
                    break;
                };
                // One character (a surrogate pair takes two units); a
                // surrogate that does not pair is skipped, as C does.
                let mut chars = char::decode_utf16(rest.iter().copied());
                match chars.next() {
                    Some(Ok(c)) => {
                        put_char(out, c, cs)?;
                        rest = rest.get(c.len_utf16()..).unwrap_or(&[]);
                    }
                    _ => rest = tail,
                }
            }
        }
        IoCharset::Latin1 | IoCharset::Ascii => {
            for &u in units {
                let mapped = u8::try_from(u)
                    .ok()
                    .filter(|b| cs == IoCharset::Latin1 || b.is_ascii());
                match mapped {
                    Some(b) => out.put(b)?,
                    None if uni_xlate => put_escape(out, u)?,
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

/// Code page 437's upper-case mapping of one byte (`charset2upper` of the
/// kernel's `nls_cp437`: the inverse of [`cp437_lower`]).
pub fn cp437_upper(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => b - 0x20,
        0x87 => 0x80,
        0x84 => 0x8e,
        0x86 => 0x8f,
        0x82 => 0x90,
        0x91 => 0x92,
        0x94 => 0x99,
        0x81 => 0x9a,
        0xa4 => 0xa5,
        0xe5 => 0xe4,
        0xed => 0xe8,
        _ => b,
    }
}

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
