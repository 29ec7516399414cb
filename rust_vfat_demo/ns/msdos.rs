// SPDX-License-Identifier: GPL-2.0

//! The MS-DOS namespace's name rules, like `fs/fat/namei_msdos.c`: 8.3
//! names only, shown lower-cased, looked up by formatting the name the way
//! `msdos_format_name` does (so `readme.txt`, `README.TXT` and
//! `ReadMe.TxtXYZ` all name `README  TXT`), long-name entries ignored;
//! and msdos's own mount options.
//!
//! Compiled into `rust_msdos` (not into the core: nothing here is exported
//! by `rust_fat`) and, for the host tests, into `fat_logic`.

use fat_disk::format::{
    attr,
    DirEntry,
    FatError, //
};
use fat_disk::names::{
    KeyBuf,
    NameBuf,
    NameCheck,
    NameHash, //
};
use fat_disk::namespace::{
    Namespace,
    NewName,
    NoKey,
    RecordNames, //
};
use fat_disk::options::{
    flag,
    parse_bool,
    value,
    MountOptions,
    OptionError, //
};

/// The MS-DOS namespace.
pub struct Msdos;

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
    if dot_hidden && e.attr & attr::HIDDEN != 0 {
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

/// Why msdos refuses a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsdosNameError {
    /// Not a name an 8.3 directory entry can hold (`EINVAL` in the C driver).
    Invalid,
    /// Longer than `NAME_MAX` (255) bytes (`ENAMETOOLONG`).
    TooLong,
}

/// Characters msdos refuses unless `check=relaxed` (`bad_chars`).
const MSDOS_BAD_CHARS: &[u8] = b"*?<>|\"";
/// Characters only `check=strict` refuses (`bad_if_strict`).
const MSDOS_BAD_IF_STRICT: &[u8] = b"+=,; ";

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
        return Err(MsdosNameError::TooLong);
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

/// The stored form of `name`, as the directory entry holds it (a leading
/// 0x05 read back as 0xE5).
pub fn stored_form(name: &[u8], opts: &MountOptions) -> Result<[u8; 11], NoKey> {
    let mut n = msdos_format_name(name, opts.check, opts.nocase, opts.dots).map_err(|_| NoKey)?;
    if n[0] == 0x05 {
        n[0] = 0xe5;
    }
    Ok(n)
}

/// The on-disk name of a new msdos record called `name`, as
/// `msdos_create`/`msdos_mkdir` make it: `msdos_format_name`'s 8.3 form
/// (`EINVAL` if it has none, `ENAMETOOLONG` past 255 bytes), hidden when
/// the name starts with a dot (`dots`), and `EINVAL` when a record has
/// that 8.3 name already (the
/// VFS has found an exact match before: this is `foo` against a hidden
/// `.foo`, which C refuses with `EINVAL` too).
pub fn msdos_new_name(
    name: &[u8],
    opts: &MountOptions,
    taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
    out: &mut NewName,
) -> Result<(), FatError> {
    let short =
        msdos_format_name(name, opts.check, opts.nocase, opts.dots).map_err(|e| match e {
            MsdosNameError::Invalid => FatError::InvalidName,
            MsdosNameError::TooLong => FatError::NameTooLong,
        })?;
    if taken(&short)? {
        return Err(FatError::InvalidName);
    }
    *out = NewName::new();
    out.short = short;
    out.attr_mask = attr::HIDDEN;
    if name.first() == Some(&b'.') && short[0] != b'.' {
        out.attr = attr::HIDDEN;
    }
    Ok(())
}

impl Namespace for Msdos {
    fn long_names(&self) -> bool {
        false
    }

    fn namelen(&self) -> u32 {
        12 * 6
    }

    /// `msdos_param_spec`.
    fn parse_option(
        &self,
        opts: &mut MountOptions,
        key: &[u8],
        val: Option<&[u8]>,
    ) -> Result<(), OptionError> {
        match key {
            b"nocase" => {
                flag(val)?;
                opts.nocase = true;
            }
            b"dots" | b"nodots" => {
                flag(val)?;
                opts.dots = key == b"dots";
            }
            b"dotsOK" => opts.dots = parse_bool(value(val)?).ok_or(OptionError::BadValue)?,
            _ => return Err(OptionError::Unknown),
        }
        Ok(())
    }

    fn rodir(&self) -> bool {
        true
    }

    fn keeps_times(&self) -> bool {
        false
    }

    fn display_name(
        &self,
        e: &DirEntry,
        opts: &MountOptions,
        out: &mut NameBuf,
    ) -> Result<(), FatError> {
        msdos_short_name(e, opts.nocase, opts.dots, out)
    }

    /// The key: the stored form, then whether the name was dotted (`dots`).
    fn lookup_key(&self, name: &[u8], opts: &MountOptions, key: &mut KeyBuf) -> Result<(), NoKey> {
        key.extend(&stored_form(name, opts)?).map_err(|_| NoKey)?;
        key.push(u8::from(name.first() == Some(&b'.')))
            .map_err(|_| NoKey)
    }

    fn matches(&self, key: &[u8], names: &RecordNames<'_>, opts: &MountOptions) -> bool {
        let Some((&dotted, stored)) = key.split_last() else {
            return false;
        };
        if stored != names.entry.name {
            return false;
        }
        // With `dots`, hidden files are named with a leading dot and only so.
        !opts.dots || (dotted == 1) == (names.entry.attr & attr::HIDDEN != 0)
    }

    fn hash_name(
        &self,
        name: &[u8],
        opts: &MountOptions,
        hash: &mut NameHash,
    ) -> Result<(), NoKey> {
        stored_form(name, opts)?.iter().for_each(|&b| hash.push(b));
        Ok(())
    }

    fn names_equal(&self, a: &[u8], b: &[u8], opts: &MountOptions) -> bool {
        match (stored_form(a, opts), stored_form(b, opts)) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        }
    }

    fn new_name(
        &self,
        name: &[u8],
        opts: &MountOptions,
        _tick: u64,
        taken: &mut dyn FnMut(&[u8; 11]) -> Result<bool, FatError>,
        out: &mut NewName,
    ) -> Result<(), FatError> {
        msdos_new_name(name, opts, taken, out)
    }
}
