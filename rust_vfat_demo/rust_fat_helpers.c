// SPDX-License-Identifier: GPL-2.0
/*
 * What the vfs crate (vfs/) cannot reach through bindgen, one reason per
 * function. Each is a thin wrapper; every decision is made in Rust. The
 * callbacks into Rust go through the hooks of the type (struct
 * rust_vfs_type), so one set of helpers serves every Rust file system.
 */

#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/exportfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/falloc.h>
#include <linux/fileattr.h>
#include <linux/filelock.h>
#include <linux/fs_struct.h>
#include <linux/fsnotify.h>
#include <linux/mpage.h>
#include <linux/msdos_fs.h>
#include <linux/ratelimit.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/statfs.h>

#include "rust_fat_helpers.h"

/* fs_context: not in the kernel crate's bindings (get_tree_bdev, invalfc, ops). */

static const struct rust_vfs_hooks *hooks_of(struct file_system_type *type)
{
	return container_of(type, struct rust_vfs_type, type)->hooks;
}

/*
 * File handles (name_to_handle_at, open_by_handle_at, NFS export,
 * fanotify's FIDs): struct export_operations is opaque to the bindings. A
 * handle holds the inode's key in the inode cache (a place on the device)
 * and its number, and with a parent the parent's too. As fs/fat's
 * default handles (nfs=stale_rw), one whose inode is no longer in memory,
 * or has moved, is stale. FAT's handle types: the layer's one file system
 * is FAT, and the handles, like fs/fat's, name an entry's place.
 */
#define RUST_VFS_FH_WORDS 4

static void rust_vfs_put_fh(u32 *fh, u64 key, u64 ino)
{
	fh[0] = (u32)key;
	fh[1] = (u32)(key >> 32);
	fh[2] = (u32)ino;
	fh[3] = (u32)(ino >> 32);
}

static int rust_vfs_encode_fh(struct inode *inode, u32 *fh, int *max_len,
			      struct inode *parent)
{
	const struct rust_vfs_hooks *h = hooks_of(inode->i_sb->s_type);
	int len = parent ? 2 * RUST_VFS_FH_WORDS : RUST_VFS_FH_WORDS;

	if (*max_len < len) {
		*max_len = len;
		return FILEID_INVALID;
	}
	rust_vfs_put_fh(fh, h->inode_key(inode), inode->i_ino);
	if (parent)
		rust_vfs_put_fh(fh + RUST_VFS_FH_WORDS, h->inode_key(parent),
				parent->i_ino);
	*max_len = len;
	return parent ? FILEID_FAT_WITH_PARENT : FILEID_FAT_WITHOUT_PARENT;
}

/* The inode a handle's words name, if it is still in memory. */
static struct dentry *rust_vfs_fh_dentry(struct super_block *sb, const u32 *fh)
{
	u64 key = fh[0] | (u64)fh[1] << 32;
	u64 ino = fh[2] | (u64)fh[3] << 32;
	struct inode *inode = hooks_of(sb->s_type)->find_inode(sb, key);

	if (inode && inode->i_ino != ino) {
		iput(inode);
		inode = NULL;
	}
	/* NULL: -ESTALE. */
	return d_obtain_alias(inode);
}

static struct dentry *rust_vfs_fh_to_dentry(struct super_block *sb,
					    struct fid *fid, int fh_len,
					    int fh_type)
{
	if ((fh_type != FILEID_FAT_WITHOUT_PARENT &&
	     fh_type != FILEID_FAT_WITH_PARENT) ||
	    fh_len < RUST_VFS_FH_WORDS)
		return NULL;
	return rust_vfs_fh_dentry(sb, fid->raw);
}

static struct dentry *rust_vfs_fh_to_parent(struct super_block *sb,
					    struct fid *fid, int fh_len,
					    int fh_type)
{
	if (fh_type != FILEID_FAT_WITH_PARENT ||
	    fh_len < 2 * RUST_VFS_FH_WORDS)
		return NULL;
	return rust_vfs_fh_dentry(sb, fid->raw + RUST_VFS_FH_WORDS);
}

/* The caller holds the child's i_rwsem. */
static struct dentry *rust_vfs_get_parent(struct dentry *child)
{
	struct inode *dir = d_inode(child);

	/* A referenced inode, or an ERR_PTR, which d_obtain_alias passes on. */
	return d_obtain_alias(hooks_of(dir->i_sb->s_type)->parent_dir(dir));
}

static const struct export_operations rust_vfs_export_ops = {
	.encode_fh	= rust_vfs_encode_fh,
	.fh_to_dentry	= rust_vfs_fh_to_dentry,
	.fh_to_parent	= rust_vfs_fh_to_parent,
	.get_parent	= rust_vfs_get_parent,
};

static int rust_vfs_fill_super_fc(struct super_block *sb, struct fs_context *fc)
{
	sb->s_export_op = &rust_vfs_export_ops;
	return hooks_of(fc->fs_type)->fill_super(sb, fc->fs_private);
}

static int rust_vfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, rust_vfs_fill_super_fc);
}

static int rust_vfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	/* As fs/fat: remount options are accepted and ignored. */
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
		return 0;
	switch (param->type) {
	case fs_value_is_flag:
		return hooks_of(fc->fs_type)->fc_param(fc->fs_type, fc->fs_private,
						       param->key, NULL);
	case fs_value_is_string:
		return hooks_of(fc->fs_type)->fc_param(fc->fs_type, fc->fs_private,
						       param->key, param->string);
	default:
		return invalfc(fc, "%s: value of '%s' must be a string",
			       fc->fs_type->name, param->key);
	}
}

/*
 * As fat_reconfigure: everything written back first; the file system's
 * state (FAT's dirty flag) follows a change between read-only and
 * read-write. The VFS has already refused going read-only while a file is
 * open for writing (sb_prepare_remount_readonly).
 */
static int rust_vfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;
	bool ro = fc->sb_flags & SB_RDONLY;

	sync_filesystem(sb);
	if (ro != sb_rdonly(sb))
		hooks_of(fc->fs_type)->set_state(sb, !ro);
	return 0;
}

static void rust_vfs_free_fc(struct fs_context *fc)
{
	hooks_of(fc->fs_type)->fc_free(fc->fs_private);
}

static const struct fs_context_operations rust_vfs_context_ops = {
	.parse_param	= rust_vfs_parse_param,
	.get_tree	= rust_vfs_get_tree,
	.reconfigure	= rust_vfs_reconfigure,
	.free		= rust_vfs_free_fc,
};

int rust_vfs_init_fs_context(struct fs_context *fc)
{
	int err = hooks_of(fc->fs_type)->fc_init(fc->fs_type, &fc->fs_private,
						 current_umask());

	if (err)
		return err;
	fc->ops = &rust_vfs_context_ops;
	return 0;
}

/* Credentials: current_uid() and make_kuid() are macros and static inlines. */

unsigned int rust_vfs_current_uid(void)
{
	return __kuid_val(current_uid());
}

unsigned int rust_vfs_current_gid(void)
{
	return __kgid_val(current_gid());
}

/* Maps a uid= value in the mounter's namespace; -1 when it has no mapping. */
unsigned int rust_vfs_make_kuid(unsigned int uid)
{
	return __kuid_val(make_kuid(current_user_ns(), uid));
}

unsigned int rust_vfs_make_kgid(unsigned int gid)
{
	return __kgid_val(make_kgid(current_user_ns(), gid));
}

/* The device: bdev_nr_bytes() and new_encode_dev() are static inlines. */

unsigned long long rust_vfs_device_bytes(struct super_block *sb)
{
	return bdev_nr_bytes(sb->s_bdev);
}

unsigned int rust_vfs_device_id(struct super_block *sb)
{
	return new_encode_dev(sb->s_bdev->bd_dev);
}

/* Buffer heads (sb_bread, brelse) are static inlines outside the bindings. */
int rust_vfs_read_block(struct super_block *sb, sector_t block, void *dst,
			unsigned int offset, unsigned int len)
{
	struct buffer_head *bh;

	if (offset > sb->s_blocksize || len > sb->s_blocksize - offset)
		return -EINVAL;
	bh = sb_bread(sb, block);
	if (!bh)
		return -EIO;
	memcpy(dst, bh->b_data + offset, len);
	brelse(bh);
	return 0;
}

/* Writes bh now if it is dirty and waits: its write error as an errno. */
static int sync_buffer(struct buffer_head *bh)
{
	int err = sync_dirty_buffer(bh);

	if (!err && buffer_write_io_error(bh))
		err = -EIO;
	return err;
}

/*
 * Writes len bytes at offset of block through the buffer cache (sb_bread,
 * mark_buffer_dirty, brelse: static inlines); with sync, waits for the
 * block to reach the device (sync_dirty_buffer). Not refused on a
 * read-only super block: a remount read-write marks the volume dirty
 * before the VFS clears SB_RDONLY (fat_set_state with force).
 */
int rust_vfs_write_block(struct super_block *sb, sector_t block,
			 const void *src, unsigned int offset, unsigned int len,
			 bool sync)
{
	struct buffer_head *bh;
	int err = 0;

	if (offset > sb->s_blocksize || len > sb->s_blocksize - offset)
		return -EINVAL;
	bh = sb_bread(sb, block);
	if (!bh)
		return -EIO;
	lock_buffer(bh);
	memcpy(bh->b_data + offset, src, len);
	unlock_buffer(bh);
	mark_buffer_dirty(bh);
	if (sync)
		err = sync_buffer(bh);
	brelse(bh);
	return err;
}

/*
 * Waits until what was written to block so far is on the device: a dirty
 * buffer is written now, one under write-out is waited for
 * (sync_dirty_buffer); a block not in the buffer cache has nothing
 * pending. sb_find_get_block and brelse are static inlines.
 */
int rust_vfs_sync_block(struct super_block *sb, sector_t block)
{
	struct buffer_head *bh = sb_find_get_block(sb, block);
	int err;

	if (!bh)
		return 0;
	err = sync_buffer(bh);
	brelse(bh);
	return err;
}

/*
 * Copies block from over block to through the buffer cache, as
 * fat_mirror_bhs copies a FAT block to the other FATs: one memcpy between
 * the two buffers, the copy marked dirty (written back later).
 */
int rust_vfs_copy_block(struct super_block *sb, sector_t from, sector_t to)
{
	struct buffer_head *src, *dst;

	src = sb_bread(sb, from);
	if (!src)
		return -EIO;
	dst = sb_getblk(sb, to);
	if (!dst) {
		brelse(src);
		return -ENOMEM;
	}
	lock_buffer(dst);
	memcpy(dst->b_data, src->b_data, sb->s_blocksize);
	set_buffer_uptodate(dst);
	unlock_buffer(dst);
	mark_buffer_dirty(dst);
	brelse(dst);
	brelse(src);
	return 0;
}

/*
 * A block held in the buffer cache for Rust to read or change in place:
 * sb_bread() (its bytes in *data, s_blocksize of them), brelse(),
 * lock_buffer(), unlock_buffer() (a read) and unlock_buffer() +
 * mark_buffer_dirty() (a change), all static
 * inlines or macros. NULL when the block cannot be read.
 */
void *rust_vfs_bread(struct super_block *sb, sector_t block, void **data)
{
	struct buffer_head *bh = sb_bread(sb, block);

	if (bh)
		*data = bh->b_data;
	return bh;
}

void rust_vfs_brelse(void *bh)
{
	brelse(bh);
}

void rust_vfs_bh_lock(void *bh)
{
	lock_buffer((struct buffer_head *)bh);
}

void rust_vfs_bh_unlock(void *bh)
{
	unlock_buffer(bh);
}

void rust_vfs_bh_unlock_dirty(void *bh)
{
	unlock_buffer(bh);
	mark_buffer_dirty(bh);
}

/* sb_rdonly(), mark_inode_dirty(), remove_inode_hash(): static inlines. */
bool rust_vfs_sb_rdonly(struct super_block *sb)
{
	return sb_rdonly(sb);
}

/* IS_DIRSYNC(): a macro. */
bool rust_vfs_is_dirsync(struct inode *inode)
{
	return IS_DIRSYNC(inode);
}

/*
 * As __fat_fs_error with errors=remount-ro: the flag is set in place, no
 * remount (a plain store, as C does it).
 */
bool rust_vfs_force_rdonly(struct super_block *sb)
{
	if (sb_rdonly(sb))
		return false;
	sb->s_flags |= SB_RDONLY;
	return true;
}

/* panic() is variadic: fs/fat's words for errors=panic (__fat_fs_error). */
void rust_vfs_fs_panic(struct super_block *sb, const char *fs)
{
	panic("%s (%s): fs panic from previous error\n", fs, sb->s_id);
}

/* Static inlines of blkdev.h: the device's discard support and discard. */
bool rust_vfs_discard_supported(struct super_block *sb)
{
	return bdev_max_discard_sectors(sb->s_bdev) != 0;
}

int rust_vfs_discard(struct super_block *sb, sector_t block, sector_t nr_blocks)
{
	return sb_issue_discard(sb, block, nr_blocks, GFP_NOFS, 0);
}

/*
 * As fat_flush_inodes for one inode (mount option flush): starts writing
 * the inode and its data, then the device's buffers, without waiting;
 * with pause, waits a tenth of a second as fat_file_release does.
 */
void rust_vfs_flush_inode(struct inode *inode, bool pause)
{
	int err = sync_inode_metadata(inode, 0);

	if (!err)
		err = filemap_fdatawrite(inode->i_mapping);
	if (!err)
		sync_blockdev_nowait(inode->i_sb->s_bdev);
	if (pause) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		io_schedule_timeout(HZ / 10);
	}
}

void rust_vfs_mark_inode_dirty(struct inode *inode)
{
	mark_inode_dirty(inode);
}

/*
 * A time update's dirtying (fat_update_time's): inode_time_dirty_flag() is a
 * static inline, and SB_LAZYTIME a BIT() macro bindgen does not expand.
 */
void rust_vfs_mark_inode_time_dirty(struct inode *inode)
{
	__mark_inode_dirty(inode, inode_time_dirty_flag(inode));
}

void rust_vfs_unhash_inode(struct inode *inode)
{
	remove_inode_hash(inode);
}

/* mpage, map_bh and blockdev_direct_IO: headers outside the bindings. */

static loff_t *mmu_private(struct inode *inode)
{
	return &container_of(inode, struct rust_vfs_inode, vfs)->mmu_private;
}

/*
 * The block mapping of page-cache and direct I/O. With create, as
 * fat_get_block: a block not mapped yet is allocated (the file system's
 * map_blocks extends the file's allocation at mmu_private) and is new.
 */
static int rust_vfs_get_block(struct inode *inode, sector_t iblock,
			      struct buffer_head *bh_result, int create)
{
	unsigned long max_blocks = bh_result->b_size >> inode->i_blkbits;
	unsigned long count = max_blocks;
	sector_t phys = 0;
	bool new_block = false;
	int err;

	err = hooks_of(inode->i_sb->s_type)->map_blocks(inode, iblock, &phys,
							 &count, create,
							 &new_block);
	if (err)
		return err;
	if (count) {
		map_bh(bh_result, inode->i_sb, phys);
		bh_result->b_size = min(count, max_blocks) << inode->i_blkbits;
		if (new_block)
			set_buffer_new(bh_result);
	}
	return 0;
}

/*
 * Shrinks the file to size (setattr; its lock held): the page cache, then
 * the blocks, under the mapping's invalidate lock, which ->bmap takes
 * shared so that no chain is cut while FIBMAP walks it (fs/fat's
 * truncate_lock). filemap_invalidate_lock() is a static inline.
 */
void rust_vfs_truncate(struct inode *inode, loff_t size)
{
	filemap_invalidate_lock(inode->i_mapping);
	truncate_setsize(inode, size);
	hooks_of(inode->i_sb->s_type)->truncate_blocks(inode, size);
	filemap_invalidate_unlock(inode->i_mapping);
}

/* As fat_write_failed: allocation past the size is given back. */
static void rust_vfs_write_failed(struct address_space *mapping, loff_t to)
{
	struct inode *inode = mapping->host;

	if (to > inode->i_size) {
		filemap_invalidate_lock(mapping);
		truncate_pagecache(inode, inode->i_size);
		hooks_of(inode->i_sb->s_type)->truncate_blocks(inode, inode->i_size);
		filemap_invalidate_unlock(mapping);
	}
}

/*
 * FIBMAP (->bmap), as _fat_bmap: the device block of a block of the file,
 * 0 for none, with truncation held off (rust_vfs_truncate). swapon calls
 * ->bmap with i_rwsem held, so the inode's lock cannot serve.
 */
static sector_t rust_vfs_bmap(struct address_space *mapping, sector_t block)
{
	struct inode *inode = mapping->host;
	sector_t phys;

	filemap_invalidate_lock_shared(mapping);
	phys = hooks_of(inode->i_sb->s_type)->bmap(inode, block);
	filemap_invalidate_unlock_shared(mapping);
	return phys;
}

static int rust_vfs_write_begin(const struct kiocb *iocb,
				struct address_space *mapping, loff_t pos,
				unsigned int len, struct folio **foliop,
				void **fsdata)
{
	struct inode *inode = mapping->host;
	int err;

	/*
	 * The clusters this write needs are taken in one FAT update, where
	 * fat_get_block takes one per block (eight FAT updates for a page of
	 * 512-byte clusters); get_block then finds them allocated. A hint:
	 * what could not be taken, get_block meets again and fails (and
	 * reports) as C does, and a failed write gives back what lies past
	 * the size (rust_vfs_write_failed). Only for a write that starts in
	 * the page the zeroed part ends in: a write past it zeroes the gap a
	 * page at a time through this function (cont_expand_zero), each page
	 * reserving its own, so a gap left half-zeroed (a fatal signal) has
	 * taken the clusters C would have, no more.
	 */
	if (pos + len > (loff_t)inode->i_blocks << 9 &&
	    pos >> PAGE_SHIFT <= *mmu_private(inode) >> PAGE_SHIFT)
		hooks_of(inode->i_sb->s_type)->reserve(inode, pos + len);
	/* FAT has no holes: what lies before pos is zeroed and allocated. */
	err = cont_write_begin(iocb, mapping, pos, len, foliop, fsdata,
			       rust_vfs_get_block, mmu_private(inode));

	if (err < 0)
		rust_vfs_write_failed(mapping, pos + len);
	return err;
}

static int rust_vfs_write_end(const struct kiocb *iocb,
			      struct address_space *mapping, loff_t pos,
			      unsigned int len, unsigned int copied,
			      struct folio *folio, void *fsdata)
{
	int err = generic_write_end(iocb, mapping, pos, len, copied, folio,
				    fsdata);

	if (err < len)
		rust_vfs_write_failed(mapping, pos + len);
	if (err >= 0)
		hooks_of(mapping->host->i_sb->s_type)->written(mapping->host);
	return err;
}

static int rust_vfs_writepages(struct address_space *mapping,
			       struct writeback_control *wbc)
{
	return mpage_writepages(mapping, wbc, rust_vfs_get_block);
}

/* Growing a file through the page cache (generic_cont_expand_simple and
 * block_truncate_page: headers outside the bindings). */
int rust_vfs_cont_expand(struct inode *inode, loff_t size)
{
	return generic_cont_expand_simple(inode, size);
}

int rust_vfs_block_truncate_page(struct inode *inode, loff_t size)
{
	return block_truncate_page(inode->i_mapping, size, rust_vfs_get_block);
}

/*
 * As fat_allow_set_time: whether a caller who does not own the inode may
 * set its times to values of its choice, by the allow_utime bits (the
 * group's for a member of the inode's group, else the others'). The ids
 * are compared through static inlines, outside the bindings.
 */
bool rust_vfs_allow_set_time(struct mnt_idmap *idmap, struct inode *inode,
			     umode_t allow)
{
	if (vfsuid_eq_kuid(i_uid_into_vfsuid(idmap, inode), current_fsuid()))
		return false;
	if (vfsgid_in_group_p(i_gid_into_vfsgid(idmap, inode)))
		allow >>= 3;
	return allow & MAY_WRITE;
}

/*
 * As fat_fallocate: plain allocation (the file grows, zeroed, as a
 * truncate up) or FALLOC_FL_KEEP_SIZE (clusters past the size, not
 * zeroed); nothing else (no holes in FAT), regular files only, under the
 * inode's lock (inode_lock: a static inline).
 */
long rust_vfs_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = file_inode(file);
	int err;

	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (!S_ISREG(inode->i_mode))
		return -EOPNOTSUPP;
	inode_lock(inode);
	err = hooks_of(inode->i_sb->s_type)->allocate(inode,
						      mode & FALLOC_FL_KEEP_SIZE,
						      offset + len);
	inode_unlock(inode);
	return err;
}

/*
 * ioctls that read or write one u32 (fs/fat's attribute and volume id
 * ioctls): the user copies (get_user/put_user), the write access to the
 * mount, the inode's lock, and a write that amounts to a chmod going
 * through the security hook, the inode's own setattr and fsnotify, as
 * fat_ioctl_set_attributes does. What each command means is the file
 * system's (hooks); an unknown one is ENOTTY.
 */
/*
 * fs/fat's VFAT_IOCTL_READDIR_SHORT and VFAT_IOCTL_READDIR_BOTH: one
 * directory entry into two struct __fat_dirent in user memory (the 8.3
 * name first, the long name second), as fat_ioctl_filldir writes them;
 * the directory walk is the file system's own readdir, asked for short
 * names only or for both names (iterate_names). Returns 1 for an entry,
 * 0 at the end.
 */
struct rust_vfs_names_ctx {
	struct dir_context ctx;
	void __user *dirent;
	int result;
	const char *long_name, *short_name;
	int long_len, short_len;
};

/*
 * The actor for one layout of the pair of entries (struct __fat_dirent, or
 * struct compat_dirent for 32-bit callers): an entry with a NULL name
 * carries both names in the context (rust_vfs_dir_emit_both).
 */
#define RUST_VFS_NAMES_ACTOR(actor, dirent_type)				\
static bool actor(struct dir_context *ctx, const char *name, int name_len,	\
		  loff_t offset, u64 ino, unsigned int d_type)			\
{										\
	struct rust_vfs_names_ctx *buf =					\
		container_of(ctx, struct rust_vfs_names_ctx, ctx);		\
	struct dirent_type __user *d1 = buf->dirent;				\
	struct dirent_type __user *d2 = d1 + 1;					\
	int max = sizeof(d1->d_name) - 1;					\
										\
	if (buf->result)							\
		return false;							\
	buf->result++;								\
	if (name) {								\
		name_len = min(name_len, max);					\
		if (put_user(0, &d2->d_name[0]) || put_user(0, &d2->d_reclen) ||\
		    copy_to_user(d1->d_name, name, name_len) ||			\
		    put_user(0, d1->d_name + name_len) ||			\
		    put_user(name_len, &d1->d_reclen))				\
			goto efault;						\
	} else {								\
		int long_len = min(buf->long_len, max);				\
		int short_len = min(buf->short_len, max);			\
										\
		if (copy_to_user(d2->d_name, buf->long_name, long_len) ||	\
		    put_user(0, d2->d_name + long_len) ||			\
		    put_user(long_len, &d2->d_reclen) ||			\
		    put_user(ino, &d2->d_ino) || put_user(offset, &d2->d_off) ||\
		    copy_to_user(d1->d_name, buf->short_name, short_len) ||	\
		    put_user(0, d1->d_name + short_len) ||			\
		    put_user(short_len, &d1->d_reclen))				\
			goto efault;						\
	}									\
	return true;								\
efault:										\
	buf->result = -EFAULT;							\
	return false;								\
}

RUST_VFS_NAMES_ACTOR(rust_vfs_names_actor, __fat_dirent)
#ifdef CONFIG_COMPAT
RUST_VFS_NAMES_ACTOR(rust_vfs_compat_names_actor, compat_dirent)
#endif

static bool rust_vfs_is_names_actor(struct dir_context *ctx)
{
#ifdef CONFIG_COMPAT
	if (ctx->actor == rust_vfs_compat_names_actor)
		return true;
#endif
	return ctx->actor == rust_vfs_names_actor;
}

/* An entry with both names (see the actors' NULL name). */
bool rust_vfs_dir_emit_both(struct dir_context *ctx, const char *long_name,
			    int long_len, const char *short_name, int short_len,
			    u64 ino, unsigned int type)
{
	struct rust_vfs_names_ctx *buf =
		container_of(ctx, struct rust_vfs_names_ctx, ctx);

	if (!rust_vfs_is_names_actor(ctx))
		return dir_emit(ctx, long_name, long_len, ino, type);
	buf->long_name = long_name;
	buf->long_len = long_len;
	buf->short_name = short_name;
	buf->short_len = short_len;
	return dir_emit(ctx, NULL, 0, ino, type);
}

/*
 * The walk itself, with the actor of the caller's layout; short_only:
 * 8.3 names only. Both layouts start with d_ino, d_off and d_reclen, but
 * of different sizes: the caller has cleared d_reclen of the first entry.
 */
static long rust_vfs_readdir_ioctl(struct file *file, void __user *dirent,
				   filldir_t actor, bool short_only)
{
	struct inode *inode = file_inode(file);
	struct rust_vfs_names_ctx buf = {
		.ctx.actor = actor,
		.dirent = dirent,
	};
	int ret = -ENOENT;

	inode_lock_shared(inode);
	buf.ctx.pos = file->f_pos;
	if (!IS_DEADDIR(inode)) {
		ret = hooks_of(inode->i_sb->s_type)->iterate_names(
			file, &buf.ctx, short_only ? 1 : 2);
		file->f_pos = buf.ctx.pos;
	}
	inode_unlock_shared(inode);
	if (ret >= 0)
		ret = buf.result;
	return ret;
}

/*
 * FITRIM as fat_ioctl_fitrim: CAP_SYS_ADMIN, a device that discards, the
 * range from and back to the user, minlen at least the device's discard
 * granularity; which clusters are discarded is the file system's (trim).
 */
static long rust_vfs_fitrim(struct inode *inode, unsigned long arg)
{
	struct super_block *sb = inode->i_sb;
	struct fstrim_range __user *user_range = (struct fstrim_range __user *)arg;
	struct fstrim_range range;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!bdev_max_discard_sectors(sb->s_bdev))
		return -EOPNOTSUPP;
	if (copy_from_user(&range, user_range, sizeof(range)))
		return -EFAULT;
	range.minlen = max_t(u64, range.minlen, bdev_discard_granularity(sb->s_bdev));
	err = hooks_of(sb->s_type)->trim(sb, range.start, range.len,
					 range.minlen, &range.len);
	if (err < 0)
		return err;
	if (copy_to_user(user_range, &range, sizeof(range)))
		return -EFAULT;
	return 0;
}

long rust_vfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct inode *inode = file_inode(file);
	const struct rust_vfs_hooks *h = hooks_of(inode->i_sb->s_type);
	u32 __user *user_val = (u32 __user *)arg;
	unsigned short mode = 0;
	bool chmod = false;
	u32 val;
	int err;

	if (S_ISDIR(inode->i_mode) &&
	    (cmd == VFAT_IOCTL_READDIR_SHORT || cmd == VFAT_IOCTL_READDIR_BOTH)) {
		struct __fat_dirent __user *d1 = (struct __fat_dirent __user *)arg;

		if (put_user(0, &d1->d_reclen))
			return -EFAULT;
		return rust_vfs_readdir_ioctl(file, d1, rust_vfs_names_actor,
					      cmd == VFAT_IOCTL_READDIR_SHORT);
	}
	if (cmd == FITRIM)
		return rust_vfs_fitrim(inode, arg);
	if (_IOC_SIZE(cmd) != sizeof(u32))
		return -ENOTTY;
	if (_IOC_DIR(cmd) == _IOC_READ) {
		inode_lock_shared(inode);
		err = h->ioctl_get(inode, cmd, &val);
		inode_unlock_shared(inode);
		return err ? err : put_user(val, user_val);
	}
	if (_IOC_DIR(cmd) != _IOC_WRITE)
		return -ENOTTY;
	err = get_user(val, user_val);
	if (err)
		return err;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	inode_lock(inode);
	err = h->ioctl_set_prepare(inode, cmd, &val, &chmod, &mode);
	if (!err && chmod) {
		struct iattr ia = {
			.ia_valid = ATTR_MODE | ATTR_CTIME,
			.ia_ctime = current_time(inode),
			.ia_mode = mode,
		};

		err = security_inode_setattr(file_mnt_idmap(file),
					     file->f_path.dentry, &ia);
		if (!err)
			err = inode->i_op->setattr(file_mnt_idmap(file),
						   file->f_path.dentry, &ia);
		if (!err)
			fsnotify_change(file->f_path.dentry, ia.ia_valid);
	}
	if (!err)
		h->ioctl_set_commit(inode, cmd, val);
	inode_unlock(inode);
	mnt_drop_write_file(file);
	return err;
}

/*
 * Directories' compat_ioctl, as fat_compat_dir_ioctl: the readdir ioctls
 * of 32-bit callers (struct compat_dirent, whose size makes their own
 * command numbers); anything else as rust_vfs_ioctl. Without
 * CONFIG_COMPAT the VFS never calls it.
 */
#ifdef CONFIG_COMPAT
#define RUST_VFS_READDIR_BOTH32 _IOR('r', 1, struct compat_dirent[2])
#define RUST_VFS_READDIR_SHORT32 _IOR('r', 2, struct compat_dirent[2])
#endif

long rust_vfs_compat_dir_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
#ifdef CONFIG_COMPAT
	struct compat_dirent __user *d1 = compat_ptr(arg);

	if (cmd != RUST_VFS_READDIR_BOTH32 && cmd != RUST_VFS_READDIR_SHORT32)
		return rust_vfs_ioctl(file, cmd, (unsigned long)d1);
	if (put_user(0, &d1->d_reclen))
		return -EFAULT;
	return rust_vfs_readdir_ioctl(file, d1, rust_vfs_compat_names_actor,
				      cmd == RUST_VFS_READDIR_SHORT32);
#else
	return -ENOIOCTLCMD;
#endif
}

/*
 * File leases (F_SETLEASE), which fs/fat's file and directory operations
 * grant with generic_setlease: a NULL ->setlease is EINVAL. The kernel
 * crate's bindings do not have generic_setlease.
 */
int rust_vfs_setlease(struct file *file, int arg, struct file_lease **flp,
		      void **priv)
{
	return generic_setlease(file, arg, flp, priv);
}

/*
 * FS_IOC_GETFLAGS and FS_IOC_FSGETXATTR (->fileattr_get): struct
 * file_kattr is in linux/fileattr.h, which the kernel crate's bindings do
 * not include (an opaque type there).
 */
void rust_vfs_fileattr_add(struct file_kattr *fa, u32 flags, u32 xflags)
{
	fa->flags |= flags;
	fa->fsx_xflags |= xflags;
}

/*
 * As fat_file_fsync: the file's pages and inode, then the device's
 * buffers (its FAT and directory blocks are not tracked per inode here:
 * sync_blockdev writes them all), then a cache flush.
 */
int rust_vfs_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file->f_mapping->host;
	int err = simple_fsync_noflush(file, start, end, datasync);

	if (err)
		return err;
	err = sync_blockdev(inode->i_sb->s_bdev);
	if (err)
		return err;
	return blkdev_issue_flush(inode->i_sb->s_bdev);
}

static int rust_vfs_read_folio(struct file *file, struct folio *folio)
{
	return mpage_read_folio(folio, rust_vfs_get_block);
}

static void rust_vfs_readahead(struct readahead_control *rac)
{
	mpage_readahead(rac, rust_vfs_get_block);
}

/*
 * O_DIRECT, as fat_direct_IO: a write past the allocated and zeroed part
 * returns 0, and the VFS falls back to a buffered write (which fills the
 * gap through cont_write_begin).
 */
static ssize_t rust_vfs_direct_IO(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = iocb->ki_filp->f_mapping->host;
	size_t count = iov_iter_count(iter);
	loff_t offset = iocb->ki_pos;
	ssize_t ret;

	if (iov_iter_rw(iter) == WRITE && *mmu_private(inode) < offset + count)
		return 0;
	ret = blockdev_direct_IO(iocb, inode, iter, rust_vfs_get_block);
	if (ret < 0 && iov_iter_rw(iter) == WRITE)
		rust_vfs_write_failed(inode->i_mapping, offset + count);
	return ret;
}

const struct address_space_operations rust_vfs_aops = {
	.dirty_folio	= block_dirty_folio,
	.invalidate_folio = block_invalidate_folio,
	.read_folio	= rust_vfs_read_folio,
	.readahead	= rust_vfs_readahead,
	.writepages	= rust_vfs_writepages,
	.write_begin	= rust_vfs_write_begin,
	.write_end	= rust_vfs_write_end,
	.direct_IO	= rust_vfs_direct_IO,
	.bmap		= rust_vfs_bmap,
	.migrate_folio	= buffer_migrate_folio,
};

/* Inodes: the I_NEW test and alloc_inode_sb() are static inlines/macros. */

/* Every object of a Rust inode cache starts with its struct inode. */
static void rust_vfs_inode_init_once(void *obj)
{
	inode_init_once(obj);
}

bool rust_vfs_inode_is_new(struct inode *inode)
{
	return inode_state_read_once(inode) & I_NEW;
}

struct kmem_cache *rust_vfs_inode_cache_create(const char *name,
					       unsigned int size,
					       unsigned int align)
{
	return kmem_cache_create(name, size, align,
				 SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
				 rust_vfs_inode_init_once);
}

void *rust_vfs_inode_cache_alloc(struct super_block *sb, struct kmem_cache *cache)
{
	return alloc_inode_sb(sb, cache, GFP_KERNEL);
}

/* readdir: dir_emit() and friends are static inlines. */

bool rust_vfs_dir_emit(struct dir_context *ctx, const char *name, int len,
		       u64 ino, unsigned int type)
{
	return dir_emit(ctx, name, len, ino, type);
}

bool rust_vfs_dir_emit_dot(struct file *file, struct dir_context *ctx)
{
	return dir_emit_dot(file, ctx);
}

bool rust_vfs_dir_emit_dotdot(struct file *file, struct dir_context *ctx)
{
	return dir_emit_dotdot(file, ctx);
}

/* statfs: struct kstatfs is opaque to bindgen. */

void rust_vfs_fill_statfs(struct kstatfs *buf, unsigned long magic,
			  unsigned long bsize, u64 blocks, u64 bfree,
			  unsigned long namelen, u64 fsid)
{
	buf->f_type = magic;
	buf->f_bsize = bsize;
	buf->f_blocks = blocks;
	buf->f_bfree = bfree;
	buf->f_bavail = bfree;
	buf->f_namelen = namelen;
	buf->f_fsid = u64_to_fsid(fsid);
}

/* fatal_signal_pending(), ratelimit_state_init(): static inlines. */

bool rust_vfs_fatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}

/* Freed with kfree. */
struct ratelimit_state *rust_vfs_ratelimit_new(void)
{
	struct ratelimit_state *rs = kzalloc(sizeof(*rs), GFP_KERNEL);

	if (rs)
		ratelimit_state_init(rs, DEFAULT_RATELIMIT_INTERVAL,
				     DEFAULT_RATELIMIT_BURST);
	return rs;
}

/* @who names the messages in the "callbacks suppressed" line. */
bool rust_vfs_ratelimit(struct ratelimit_state *rs, const char *who)
{
	return ___ratelimit(rs, who);
}

/*
 * A C file system keeps its file_system_type in static data; ours lives in
 * a Rust registration on the heap. The type holds lockdep's class keys for
 * every super block and inode of the type (s_umount, i_rwsem, ...), and
 * lockdep accepts a key outside static memory only once registered: else
 * every mount reports "key ... has not been registered!". Registered at
 * the type's final address before register_filesystem(), unregistered once
 * no super block or inode of the type is left. Without CONFIG_LOCKDEP the
 * calls are empty static inlines, which bindgen cannot call.
 */
void rust_vfs_type_keys_register(struct file_system_type *type)
{
	int i;

	lockdep_register_key(&type->s_lock_key);
	lockdep_register_key(&type->s_umount_key);
	lockdep_register_key(&type->s_vfs_rename_key);
	for (i = 0; i < SB_FREEZE_LEVELS; i++)
		lockdep_register_key(&type->s_writers_key[i]);
	lockdep_register_key(&type->i_lock_key);
	lockdep_register_key(&type->i_mutex_key);
	lockdep_register_key(&type->invalidate_lock_key);
	lockdep_register_key(&type->i_mutex_dir_key);
}

void rust_vfs_type_keys_unregister(struct file_system_type *type)
{
	int i;

	lockdep_unregister_key(&type->s_lock_key);
	lockdep_unregister_key(&type->s_umount_key);
	lockdep_unregister_key(&type->s_vfs_rename_key);
	for (i = 0; i < SB_FREEZE_LEVELS; i++)
		lockdep_unregister_key(&type->s_writers_key[i]);
	lockdep_unregister_key(&type->i_lock_key);
	lockdep_unregister_key(&type->i_mutex_key);
	lockdep_unregister_key(&type->invalidate_lock_key);
	lockdep_unregister_key(&type->i_mutex_dir_key);
}
