/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the vfs crate (vfs/vfs.rs, vfs/misc.rs) and its C
 * helpers (rust_fat_helpers.c): what bindgen cannot reach in the kernel's
 * own headers. The Rust side does not copy these declarations: bindgen
 * generates them from this header at build time (the Kbuild's
 * vfs/helpers_generated.rs), so a change here that Rust does not follow
 * fails the build.
 */
#ifndef RUST_FAT_HELPERS_H
#define RUST_FAT_HELPERS_H

#include <linux/fs.h>

struct file_kattr;
struct fs_context;
struct kstatfs;
struct ratelimit_state;

/*
 * The callbacks a registered Rust file system type gives the helpers, one
 * table per type (Rust: vfs::Hooks).
 */
struct rust_vfs_hooks {
	int (*fc_init)(struct file_system_type *type, void **fs_private,
		       unsigned short umask);
	int (*fc_param)(struct file_system_type *type, void *fs_private,
			const char *key, const char *value);
	void (*fc_free)(void *fs_private);
	int (*fill_super)(struct super_block *sb, void *fs_private);
	int (*map_blocks)(struct inode *inode, sector_t iblock, sector_t *phys,
			  unsigned long *count, bool create, bool *new_block);
	void (*truncate_blocks)(struct inode *inode, loff_t size);
	sector_t (*bmap)(struct inode *inode, sector_t block);
	u64 (*inode_key)(struct inode *inode);
	struct inode *(*find_inode)(struct super_block *sb, u64 key);
	struct inode *(*parent_dir)(struct inode *dir);
	void (*written)(struct inode *inode);
	int (*allocate)(struct inode *inode, bool keep_size, loff_t end);
	void (*reserve)(struct inode *inode, loff_t end);
	int (*ioctl_get)(struct inode *inode, unsigned int cmd, u32 *val);
	int (*ioctl_set_prepare)(struct inode *inode, unsigned int cmd,
				 u32 *val, bool *chmod, unsigned short *mode);
	void (*ioctl_set_commit)(struct inode *inode, unsigned int cmd, u32 val);
	int (*iterate_names)(struct file *file, struct dir_context *ctx,
			     int names);
	void (*set_state)(struct super_block *sb, bool dirty);
	int (*trim)(struct super_block *sb, u64 start, u64 len, u64 minlen,
		    u64 *trimmed);
};

/*
 * The start of every object of a Rust inode cache (Rust: vfs::INodeObj's
 * first field): the VFS's inode and what cont_write_begin() needs, the
 * size up to which the file's blocks are allocated and initialised (as
 * fs/fat's mmu_private).
 */
struct rust_vfs_inode {
	struct inode vfs;
	loff_t mmu_private;
};

/* A registered Rust file system type (Rust: vfs::RawType, pinned). */
struct rust_vfs_type {
	struct file_system_type type;
	const struct rust_vfs_hooks *hooks;
};

/* Implemented in C, called from Rust. */
int rust_vfs_init_fs_context(struct fs_context *fc);
unsigned int rust_vfs_current_uid(void);
unsigned int rust_vfs_current_gid(void);
unsigned int rust_vfs_make_kuid(unsigned int uid);
unsigned int rust_vfs_make_kgid(unsigned int gid);
unsigned long long rust_vfs_device_bytes(struct super_block *sb);
unsigned int rust_vfs_device_id(struct super_block *sb);
int rust_vfs_read_block(struct super_block *sb, sector_t block, void *dst,
			unsigned int offset, unsigned int len);
int rust_vfs_write_block(struct super_block *sb, sector_t block,
			 const void *src, unsigned int offset, unsigned int len,
			 bool sync);
int rust_vfs_copy_block(struct super_block *sb, sector_t from, sector_t to);
int rust_vfs_sync_block(struct super_block *sb, sector_t block);
void *rust_vfs_bread(struct super_block *sb, sector_t block, void **data);
void rust_vfs_brelse(void *bh);
void rust_vfs_bh_lock(void *bh);
void rust_vfs_bh_unlock(void *bh);
void rust_vfs_bh_unlock_dirty(void *bh);
bool rust_vfs_sb_rdonly(struct super_block *sb);
bool rust_vfs_is_dirsync(struct inode *inode);
bool rust_vfs_force_rdonly(struct super_block *sb);
void rust_vfs_fs_panic(struct super_block *sb, const char *fs);
bool rust_vfs_discard_supported(struct super_block *sb);
int rust_vfs_discard(struct super_block *sb, sector_t block, sector_t nr_blocks);
void rust_vfs_flush_inode(struct inode *inode, bool pause);
void rust_vfs_mark_inode_dirty(struct inode *inode);
void rust_vfs_mark_inode_time_dirty(struct inode *inode);
void rust_vfs_unhash_inode(struct inode *inode);
int rust_vfs_cont_expand(struct inode *inode, loff_t size);
void rust_vfs_truncate(struct inode *inode, loff_t size);
int rust_vfs_block_truncate_page(struct inode *inode, loff_t size);
bool rust_vfs_allow_set_time(struct mnt_idmap *idmap, struct inode *inode,
			     umode_t allow);
int rust_vfs_fsync(struct file *file, loff_t start, loff_t end, int datasync);
int rust_vfs_setlease(struct file *file, int arg, struct file_lease **flp,
		      void **priv);
void rust_vfs_fileattr_add(struct file_kattr *fa, u32 flags, u32 xflags);
long rust_vfs_fallocate(struct file *file, int mode, loff_t offset, loff_t len);
long rust_vfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long rust_vfs_compat_dir_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg);
extern const struct address_space_operations rust_vfs_aops;
bool rust_vfs_inode_is_new(struct inode *inode);
struct kmem_cache *rust_vfs_inode_cache_create(const char *name,
					       unsigned int size,
					       unsigned int align);
void *rust_vfs_inode_cache_alloc(struct super_block *sb,
				 struct kmem_cache *cache);
bool rust_vfs_dir_emit(struct dir_context *ctx, const char *name, int len,
		       u64 ino, unsigned int type);
bool rust_vfs_dir_emit_dot(struct file *file, struct dir_context *ctx);
bool rust_vfs_dir_emit_dotdot(struct file *file, struct dir_context *ctx);
bool rust_vfs_dir_emit_both(struct dir_context *ctx, const char *long_name,
			    int long_len, const char *short_name, int short_len,
			    u64 ino, unsigned int type);
void rust_vfs_fill_statfs(struct kstatfs *buf, unsigned long magic,
			  unsigned long bsize, u64 blocks, u64 bfree,
			  unsigned long namelen, u64 fsid);
struct ratelimit_state *rust_vfs_ratelimit_new(void);
bool rust_vfs_fatal_signal_pending(void);
bool rust_vfs_ratelimit(struct ratelimit_state *rs, const char *who);
void rust_vfs_type_keys_register(struct file_system_type *type);
void rust_vfs_type_keys_unregister(struct file_system_type *type);

#endif
