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

/// Room for the longest long name in any character set: a record holds at
/// most `MAX_LFN_UNITS` UTF-16 units, each at most 5 bytes (the `:xxxx`
/// escape of `uni_xlate`; UTF-8 needs 3).
pub const NAME_MAX_BYTES: usize = crate::dir::MAX_LFN_UNITS * 5;

/// Room for a name the VFS hands over (`NAME_MAX`, 255 bytes), and for an
/// 8.3 name in any character set.
pub const KEY_MAX_BYTES: usize = 256;

/// A name being built, without allocation, of at most `N` bytes.
pub struct NameBuf<const N: usize = NAME_MAX_BYTES> {
    buf: [u8; N],
    len: usize,
}

/// A buffer for names from the VFS and 8.3 names, small enough for the
/// stack of a path walk.
pub type KeyBuf = NameBuf<KEY_MAX_BYTES>;

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
        match cs {
            IoCharset::Utf8 => {
                let mut b = [0u8; 4];
                self.extend(c.encode_utf8(&mut b).as_bytes())
            }
            IoCharset::Latin1 => self.push(u8::try_from(u32::from(c)).unwrap_or(b'?')),
            IoCharset::Ascii => self.push(
                u8::try_from(u32::from(c))
                    .ok()
                    .filter(u8::is_ascii)
                    .unwrap_or(b'?'),
            ),
        }
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
pub fn long_name<const N: usize>(
    units: &[u16],
    cs: IoCharset,
    uni_xlate: bool,
    out: &mut NameBuf<N>,
) -> Result<(), FatError> {
    match cs {
        IoCharset::Utf8 => {
            for c in char::decode_utf16(units.iter().copied()).flatten() {
                out.push_char(c, cs)?;
            }
        }
        IoCharset::Latin1 | IoCharset::Ascii => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for &u in units {
                let mapped = u8::try_from(u)
                    .ok()
                    .filter(|b| cs == IoCharset::Latin1 || b.is_ascii());
                match mapped {
                    Some(b) => out.push(b)?,
                    None if uni_xlate => {
                        out.push(b':')?;
                        for shift in [12, 8, 4, 0] {
                            out.push(HEX[usize::from((u >> shift) & 0xf)])?;
                        }
                    }
                    None => out.push(b'?')?,
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
