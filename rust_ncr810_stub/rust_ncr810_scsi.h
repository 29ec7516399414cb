/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of rust_ncr810's SCSI midlayer layer (scsi.rs): what bindgen
 * cannot reach, because the kernel crate's bindings include no SCSI
 * header. The host template and the midlayer's entry points live here and
 * call into Rust; everything else is a thin accessor.
 */
#ifndef RUST_NCR810_SCSI_H
#define RUST_NCR810_SCSI_H

#include <linux/types.h>

struct device;
struct Scsi_Host;
struct scsi_cmnd;

/* A command's data direction (the values scsi.rs matches on). */
enum rust_ncr810_dir {
	RUST_NCR810_DIR_NONE = 0,
	RUST_NCR810_DIR_TO_DEVICE = 1,
	RUST_NCR810_DIR_FROM_DEVICE = 2,
	RUST_NCR810_DIR_BIDIRECTIONAL = 3,
};

/* How a command ended, turned into the midlayer's host byte here. */
enum rust_ncr810_outcome {
	RUST_NCR810_OK = 0,
	RUST_NCR810_NO_CONNECT = 1,
	RUST_NCR810_BUS_RESET = 2,
	RUST_NCR810_PARITY = 3,
	RUST_NCR810_ERROR = 4,
};

/* What the SCRIPTS program needs of a command. */
struct rust_ncr810_cmd_info {
	const u8 *cdb;
	u32 cdb_len;
	u32 target;
	u32 channel;
	u64 lun;
	u32 direction;
	u32 length;
};

/* One mapped scatter-gather segment. */
struct rust_ncr810_segment {
	u32 addr;
	u32 len;
};

struct Scsi_Host *rust_ncr810_host_alloc(const void *chip, u16 sg_tablesize,
					 u32 max_sectors, u8 max_cmd_len, int this_id);
int rust_ncr810_host_add(struct Scsi_Host *shost, struct device *dev);
void rust_ncr810_host_remove(struct Scsi_Host *shost);
void rust_ncr810_host_put(struct Scsi_Host *shost);
unsigned int rust_ncr810_host_no(const struct Scsi_Host *shost);

void rust_ncr810_cmd_info(struct scsi_cmnd *cmd, struct rust_ncr810_cmd_info *info);
int rust_ncr810_cmd_map(struct scsi_cmnd *cmd, struct rust_ncr810_segment *segs, u32 max);
void rust_ncr810_cmd_unmap(struct scsi_cmnd *cmd);
void rust_ncr810_cmd_done(struct scsi_cmnd *cmd, u32 outcome, u8 status, u32 residual,
			  const u8 *sense, u32 sense_len);

/* Implemented in Rust (scsi.rs). */
int rust_ncr810_queue(const void *chip, struct scsi_cmnd *cmd);
bool rust_ncr810_eh_abort(const void *chip, struct scsi_cmnd *cmd);
bool rust_ncr810_eh_reset(const void *chip, bool whole_chip, bool from_ioctl);

#endif
