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
    cp437_to_char,
    DirEntry,
    FatError,
    CASE_LOWER_BASE,
    CASE_LOWER_EXT, //
};
use fat_disk::names::{
    converts_to,
    cp437_lower,
    name_len_possible,
    put_char,
    IoCharset,
    KeyBuf,
    NameBuf,
    NameCheck,
    NameHash,
    NameSink, //
};
use fat_disk::namespace::{
    Namespace,
    NoKey,
    RecordNames, //
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

fn case_sensitive(opts: &MountOptions) -> bool {
    opts.check == NameCheck::Strict
}

fn name_matches(key: &[u8], name: &[u8], opts: &MountOptions) -> bool {
    if case_sensitive(opts) {
        key == name
    } else {
        vfat_eq_nocase(key, name)
    }
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
                    b"lower" => (ShortnameDisplay::Lower, ShortnameCreate::WinNt),
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
            b"rodir" => flag(val)?,
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
        vfat_short_name(e, opts.charset(), opts.shortname, out)
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
                vfat_short_name(names.entry, opts.charset(), opts.shortname, c)
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
}
