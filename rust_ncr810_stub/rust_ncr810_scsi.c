// SPDX-License-Identifier: GPL-2.0
/*
 * rust_ncr810's C helpers: one line each for a static inline function or a
 * macro that bindgen cannot bind. No logic: the host template, the entry
 * points and the command path are Rust (scsi/host.rs, scsi/command.rs).
 */

#include <linux/scatterlist.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>

#include "rust_ncr810_scsi.h"

/* shost_priv() is static inline. */
void *rust_ncr810_shost_priv(struct Scsi_Host *shost)
{
	return shost_priv(shost);
}

/* scsi_bufflen() is static inline. */
unsigned int rust_ncr810_scsi_bufflen(struct scsi_cmnd *cmd)
{
	return scsi_bufflen(cmd);
}

/* scsi_set_resid() is static inline. */
void rust_ncr810_scsi_set_resid(struct scsi_cmnd *cmd, unsigned int resid)
{
	scsi_set_resid(cmd, resid);
}

/* scsi_sglist() is static inline. */
struct scatterlist *rust_ncr810_scsi_sglist(struct scsi_cmnd *cmd)
{
	return scsi_sglist(cmd);
}

/* sg_next() is static inline. */
struct scatterlist *rust_ncr810_sg_next(struct scatterlist *sg)
{
	return sg_next(sg);
}

/* sg_dma_address() is a macro. */
dma_addr_t rust_ncr810_sg_dma_address(struct scatterlist *sg)
{
	return sg_dma_address(sg);
}

/* sg_dma_len() is a macro (which field depends on CONFIG_NEED_SG_DMA_LENGTH). */
unsigned int rust_ncr810_sg_dma_len(struct scatterlist *sg)
{
	return sg_dma_len(sg);
}
