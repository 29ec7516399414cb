// SPDX-License-Identifier: GPL-2.0

//! `rust_vfat`: long file names and directory listings over `rust_fat`.
//!
//! The consumer of the stack, like the kernel's `fs/vfat`: everything it
//! knows of the on-disk format comes from `rust_fat`'s exported Rust API.
//! It adds long names and the directory walk ([`vfat_walk`]) and serves them
//! through the misc device `/dev/rust_vfat` (10:243): each opener writes a
//! FAT image of up to [`MAX_IMAGE`] bytes, then reads its listing back.
//!
//! The fixed minor and the `char-major-10-243` alias let the kernel load
//! this module on demand when the device node is opened.

use core::marker::PhantomData;
use kernel::{
    bindings,
    error::to_result,
    fs::{
        File,
        Kiocb, //
    },
    ioctl::_IOWR,
    iov::{
        IovIterDest,
        IovIterSource, //
    },
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    new_mutex,
    prelude::*,
    sync::Mutex,
    time::{
        Instant,
        Monotonic, //
    },
    types::Opaque,
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};

/// The FAT API as `vfat_walk` sees it: `rust_fat`'s exports.
pub mod fat_api {
    pub use rust_fat_core::format::*;
}

#[path = "vfat_walk.rs"]
pub mod vfat_walk;

use fat_api::{
    FatError,
    Volume, //
};
use vfat_walk::GrowVec;

/// The misc minor of `/dev/rust_vfat`, from the range reserved for local use.
pub const RUST_VFAT_MINOR: i32 = 243;

/// Largest image an opener may write.
pub const MAX_IMAGE: usize = 64 << 20;

/// `ioctl(fd, RUST_VFAT_IOC_CALLBENCH, u64[3])`: times `u64[0]` calls of
/// `rust_fat`'s exported `lfn_checksum` against the same function compiled
/// into this module; writes the two durations in ns to `u64[1]`, `u64[2]`.
/// For the benchmark of the cost of calling across the module boundary.
pub const RUST_VFAT_IOC_CALLBENCH: u32 = _IOWR::<[u64; 3]>('V' as u32, 1);

/// Most calls one `RUST_VFAT_IOC_CALLBENCH` may ask for.
const CALLBENCH_MAX: u64 = 100_000_000;

module! {
    type: RustVfat,
    name: "rust_vfat",
    authors: ["rust_vfat_demo authors"],
    description: "VFAT long names and listings over rust_fat, via /dev/rust_vfat",
    license: "GPL",
    alias: ["char-major-10-243"],
}

/// A misc device registration with a fixed minor.
///
/// [`MiscDeviceRegistration`] always asks for a dynamic minor, but demand
/// loading through `char-major-10-<minor>` needs one that is known before
/// the module is loaded.
///
/// # Invariants
///
/// `inner` holds a `struct miscdevice` made by [`MiscDeviceOptions::into_raw`]
/// for `T` and registered with `misc_register()`; it is deregistered exactly
/// once, in `drop`.
#[repr(transparent)]
#[pin_data(PinnedDrop)]
struct FixedMinorMisc<T: MiscDevice> {
    #[pin]
    inner: Opaque<bindings::miscdevice>,
    _t: PhantomData<T>,
}

// SAFETY: `misc_deregister` may be called from any thread.
unsafe impl<T: MiscDevice> Send for FixedMinorMisc<T> {}
// SAFETY: `&self` gives no access to the registration's contents.
unsafe impl<T: MiscDevice> Sync for FixedMinorMisc<T> {}

impl<T: MiscDevice> FixedMinorMisc<T> {
    fn register(name: &'static CStr, minor: i32) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                let mut raw = MiscDeviceOptions { name }.into_raw::<T>();
                raw.minor = minor;
                // SAFETY: The initializer may write to `slot`.
                unsafe { slot.write(raw) };
                // SAFETY: `slot` holds a miscdevice whose file operations are
                // `T`'s; it is pinned and deregistered in `drop` before its
                // memory goes away. The file operations cast the miscdevice
                // pointer to `MiscDeviceRegistration<T>`, which like `Self` is
                // a transparent wrapper of the same `Opaque<miscdevice>`.
                // INVARIANT: On success the device is registered.
                to_result(unsafe { bindings::misc_register(slot) })
            }),
            _t: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: MiscDevice> PinnedDrop for FixedMinorMisc<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered, by the type invariants, and not yet deregistered.
        unsafe { bindings::misc_deregister(self.inner.get()) };
    }
}

#[pin_data(PinnedDrop)]
struct RustVfat {
    #[pin]
    misc: FixedMinorMisc<VfatFile>,
}

impl kernel::InPlaceModule for RustVfat {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // The first call across the module boundary: resolved at load time
        // through rust_fat's exported symbol.
        let sum = fat_api::lfn_checksum(b"README  TXT");
        pr_info!(
            "loaded: using rust_fat's exports (lfn_checksum(\"README  TXT\") = {:#04x}); /dev/rust_vfat is misc 10:{}\n",
            sum,
            RUST_VFAT_MINOR
        );
        try_pin_init!(Self {
            misc <- FixedMinorMisc::register(c"rust_vfat", RUST_VFAT_MINOR),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for RustVfat {
    fn drop(self: Pin<&mut Self>) {
        // `misc` is deregistered after this; no file can be open here since
        // every open file holds a reference on this module.
        pr_info!("unloading: /dev/rust_vfat deregistered, no images held\n");
    }
}

/// What one opener has written and what it reads back.
struct State {
    image: KVVec<u8>,
    /// The listing, or the error the image gave; built on the first read.
    listing: Option<Result<KVVec<u8>, Error>>,
}

/// The private data of an open `/dev/rust_vfat`.
#[pin_data]
struct VfatFile {
    #[pin]
    state: Mutex<State>,
}

impl<T, A: kernel::alloc::Allocator> GrowVec<T> for kernel::alloc::Vec<T, A> {
    fn try_push(&mut self, v: T) -> Result<(), FatError> {
        self.push(v, GFP_KERNEL).map_err(|_| FatError::NoMemory)
    }
    fn pop_last(&mut self) -> Option<T> {
        self.pop()
    }
    fn last_item_mut(&mut self) -> Option<&mut T> {
        self.last_mut()
    }
    fn items(&self) -> &[T] {
        self
    }
    fn cut(&mut self, len: usize) {
        self.truncate(len)
    }
    fn try_extend(&mut self, s: &[T]) -> Result<(), FatError>
    where
        T: Copy,
    {
        self.extend_from_slice(s, GFP_KERNEL)
            .map_err(|_| FatError::NoMemory)
    }
}

/// The error code user space gets for a rejected image.
fn errno(e: FatError) -> Error {
    match e {
        FatError::NoMemory => ENOMEM,
        FatError::TooLarge => EFBIG,
        FatError::TooDeep => ENAMETOOLONG,
        FatError::ChainLoop | FatError::DirLoop => ELOOP,
        FatError::LfnEncoding => EILSEQ,
        FatError::Truncated
        | FatError::BadSectorSize
        | FatError::BadClusterSize
        | FatError::BadReservedSectors
        | FatError::NoFats
        | FatError::BadMedia
        | FatError::BadGeometry
        | FatError::BadRootDir => EINVAL,
        FatError::ClusterOutOfRange
        | FatError::BrokenChain
        | FatError::SizeMismatch
        | FatError::LfnChecksum
        | FatError::LfnSequence
        | FatError::BadName => EUCLEAN,
    }
}

/// Builds the listing of `image`, logging one line either way.
fn build_listing(image: &[u8]) -> Result<KVVec<u8>> {
    let vol = Volume::open(image).map_err(|e| {
        pr_err!("image rejected: {} ({} bytes)\n", e.describe(), image.len());
        errno(e)
    })?;
    let mut out = KVVec::new();
    let mut path = KVec::new();
    let mut stack = KVec::new();
    match vfat_walk::write_listing(&vol, &mut out, &mut path, &mut stack) {
        Ok(stats) => {
            pr_info!(
                "listed a {} image: {} files, {} directories\n",
                vol.bpb.fat_type.name(),
                stats.files,
                stats.dirs
            );
            Ok(out)
        }
        Err(e) => {
            pr_err!(
                "image rejected: {} ({} image)\n",
                e.describe(),
                vol.bpb.fat_type.name()
            );
            Err(errno(e))
        }
    }
}

#[vtable]
impl MiscDevice for VfatFile {
    type Ptr = Pin<KBox<Self>>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<Pin<KBox<Self>>> {
        KBox::try_pin_init(
            try_pin_init!(VfatFile {
                state <- new_mutex!(State {
                    image: KVVec::new(),
                    listing: None,
                }),
            }),
            GFP_KERNEL,
        )
    }

    fn write_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let me = kiocb.file();
        let mut st = me.state.lock();
        // Writing after a read starts a new image.
        if st.listing.is_some() {
            st.listing = None;
            st.image.clear();
        }
        if st.image.len().saturating_add(iov.len()) > MAX_IMAGE {
            pr_err!("image rejected: larger than {} bytes\n", MAX_IMAGE);
            return Err(EFBIG);
        }
        let n = iov.copy_from_iter_vec(&mut st.image, GFP_KERNEL)?;
        drop(st);
        // Reads start at the listing's beginning whatever was written.
        *kiocb.ki_pos_mut() = 0;
        Ok(n)
    }

    fn ioctl(_me: Pin<&VfatFile>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        if cmd != RUST_VFAT_IOC_CALLBENCH {
            return Err(ENOTTY);
        }
        let (mut reader, mut writer) = UserSlice::new(UserPtr::from_addr(arg), 24).reader_writer();
        let n = reader.read::<u64>()?;
        if n == 0 || n > CALLBENCH_MAX {
            pr_err!(
                "call benchmark: {} calls asked, 1..={} allowed\n",
                n,
                CALLBENCH_MAX
            );
            return Err(EINVAL);
        }
        let cross = time_calls(n, fat_api::lfn_checksum);
        let local = time_calls(n, local_lfn_checksum);
        writer.write::<u64>(&n)?;
        writer.write::<u64>(&cross)?;
        writer.write::<u64>(&local)?;
        Ok(0)
    }

    fn read_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let me = kiocb.file();
        let mut st = me.state.lock();
        if st.listing.is_none() {
            if st.image.is_empty() {
                pr_err!("read before any image was written\n");
                return Err(ENODATA);
            }
            let listing = build_listing(&st.image);
            st.listing = Some(listing);
        }
        match &st.listing {
            Some(Ok(listing)) => iov.simple_read_from_buffer(kiocb.ki_pos_mut(), listing),
            Some(Err(e)) => Err(*e),
            None => Err(ENODATA),
        }
    }
}

/// The twin of `rust_fat`'s `lfn_checksum`, compiled into this module, so
/// the benchmark can compare a call inside the module with one across the
/// boundary. Not inlined, like the exported one.
#[inline(never)]
fn local_lfn_checksum(name: &[u8; 11]) -> u8 {
    name.iter().fold(0u8, |sum, &c| {
        ((sum & 1) << 7).wrapping_add(sum >> 1).wrapping_add(c)
    })
}

/// Times `n` calls of `f`, in ns. Generic over the function item, so each
/// loop makes a direct call (a `fn` pointer would make both indirect).
fn time_calls<F: Fn(&[u8; 11]) -> u8>(n: u64, f: F) -> u64 {
    let mut name = *b"README  TXT";
    let mut acc = 0u8;
    let start = Instant::<Monotonic>::now();
    for i in 0..n {
        name[0] = i as u8;
        acc = acc.wrapping_add(f(core::hint::black_box(&name)));
    }
    let ns = start.elapsed().as_nanos();
    core::hint::black_box(acc);
    u64::try_from(ns).unwrap_or(0)
}

#[kunit_tests(rust_vfat_lfn)]
mod tests {
    use super::fat_api::*;
    use super::vfat_walk::*;
    use kernel::prelude::KVec;

    fn lfn(ordinal: u8, checksum: u8, text: &[u16]) -> LfnEntry {
        let mut units = [0xffffu16; 13];
        for (i, u) in units.iter_mut().enumerate() {
            if i < text.len() {
                *u = text[i];
            } else if i == text.len() {
                *u = 0;
            }
        }
        LfnEntry {
            ordinal,
            checksum,
            units,
        }
    }

    fn short(name: &[u8; 11]) -> DirEntry {
        let mut raw = [0u8; 32];
        raw[..11].copy_from_slice(name);
        raw[11] = attr::ARCHIVE;
        match Slot::decode(&raw) {
            Slot::Short(e) => e,
            _ => DirEntry {
                name: *name,
                attr: 0,
                lcase: 0,
                size: 0,
                first_cluster: 0,
                created: FatTime::default(),
                modified: FatTime::default(),
            },
        }
    }

    #[test]
    fn long_name_with_surrogate_pair() {
        let e = short(b"EMOJI~1 TXT");
        let sum = lfn_checksum(&e.raw_name());
        // "a😀.txt": U+1F600 is the pair D83D DE00.
        let units = [0x61, 0xd83d, 0xde00, 0x2e, 0x74, 0x78, 0x74];
        let mut b = LfnBuilder::new();
        assert!(b.push(&lfn(0x41, sum, &units)).is_ok());
        let mut out = KVec::<u8>::new();
        let name = b.finish(&e);
        assert!(matches!(name, Ok(Some(_))));
        if let Ok(Some(u)) = name {
            assert!(utf16_to_utf8(u, &mut out).is_ok());
        }
        assert_eq!(&out[..], "a😀.txt".as_bytes());
    }

    #[test]
    fn wrong_checksum_and_sequence_are_rejected() {
        let e = short(b"FILE    TXT");
        let sum = lfn_checksum(&e.raw_name());
        let mut b = LfnBuilder::new();
        assert!(b.push(&lfn(0x41, sum.wrapping_add(1), &[0x61])).is_ok());
        assert_eq!(b.finish(&e).err(), Some(FatError::LfnChecksum));
        // A name of two entries whose first stored entry is missing.
        let mut b = LfnBuilder::new();
        assert_eq!(b.push(&lfn(0x01, sum, &[0x61])), Err(FatError::LfnSequence));
        // Two entries announced, one given.
        let mut b = LfnBuilder::new();
        assert!(b.push(&lfn(0x42, sum, &[0x61; 13])).is_ok());
        assert_eq!(b.finish(&e).err(), Some(FatError::LfnSequence));
    }

    #[test]
    fn lone_surrogate_is_not_a_name() {
        let mut out = KVec::<u8>::new();
        assert_eq!(
            utf16_to_utf8(&[0xd800, 0x61], &mut out),
            Err(FatError::LfnEncoding)
        );
    }
}
