/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between rust_fat's VFS layer (vfs.rs) and its C helpers
 * (rust_fat_helpers.c). vfs.rs declares the same functions in its extern
 * block.
 */
#ifndef RUST_FAT_HELPERS_H
#define RUST_FAT_HELPERS_H

#include <linux/fs.h>

struct fs_context;
struct kstatfs;
struct ratelimit_state;

/* Implemented in Rust (vfs.rs), called by the helpers. */
int rust_fat_fc_init(struct file_system_type *type, void **fs_private,
		     unsigned short umask);
int rust_fat_fc_param(void *fs_private, struct file_system_type *type,
		      const char *key, const char *value);
void rust_fat_fc_free(void *fs_private);
int rust_fat_fill_super(struct super_block *sb, void *fs_private);
int rust_fat_map_blocks(struct inode *inode, sector_t iblock, sector_t *phys,
			unsigned long *count);
void rust_fat_inode_init_once(void *obj);

/* Implemented in C, called from Rust. */
int rust_fat_init_fs_context(struct fs_context *fc);
unsigned int rust_fat_current_uid(void);
unsigned int rust_fat_current_gid(void);
unsigned int rust_fat_make_kuid(unsigned int uid);
unsigned int rust_fat_make_kgid(unsigned int gid);
unsigned long long rust_fat_device_bytes(struct super_block *sb);
unsigned int rust_fat_device_id(struct super_block *sb);
int rust_fat_read_block(struct super_block *sb, sector_t block, void *dst,
			unsigned int offset, unsigned int len);
extern const struct address_space_operations rust_fat_aops;
bool rust_fat_inode_is_new(struct inode *inode);
struct kmem_cache *rust_fat_inode_cache_create(const char *name,
					       unsigned int size);
void *rust_fat_inode_cache_alloc(struct super_block *sb,
				 struct kmem_cache *cache);
bool rust_fat_dir_emit(struct dir_context *ctx, const char *name, int len,
		       u64 ino, bool is_dir);
bool rust_fat_dir_emit_dots(struct file *file, struct dir_context *ctx);
bool rust_fat_dir_emit_dot(struct file *file, struct dir_context *ctx);
bool rust_fat_dir_emit_dotdot(struct file *file, struct dir_context *ctx);
void rust_fat_fill_statfs(struct kstatfs *buf, unsigned long magic,
			  unsigned long bsize, u64 blocks, u64 bfree,
			  unsigned long namelen, u64 fsid);
struct ratelimit_state *rust_fat_ratelimit_new(void);
bool rust_fat_fatal_signal_pending(void);
bool rust_fat_ratelimit(struct ratelimit_state *rs, const char *who);

#endif
