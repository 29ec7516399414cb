/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C helpers of rust_ncr810's SCSI host layer (scsi.rs): only what
 * bindgen cannot reach, static inline functions and macros of the SCSI and
 * scatterlist headers. Rust sees these declarations through bindgen
 * (scsi/bindings_helper.h), never a hand-written copy.
 */
#ifndef RUST_NCR810_SCSI_H
#define RUST_NCR810_SCSI_H

#include <linux/types.h>

struct Scsi_Host;
struct scatterlist;
struct scsi_cmnd;

void *rust_ncr810_shost_priv(struct Scsi_Host *shost);
unsigned int rust_ncr810_scsi_bufflen(struct scsi_cmnd *cmd);
void rust_ncr810_scsi_set_resid(struct scsi_cmnd *cmd, unsigned int resid);
struct scatterlist *rust_ncr810_scsi_sglist(struct scsi_cmnd *cmd);
struct scatterlist *rust_ncr810_sg_next(struct scatterlist *sg);
dma_addr_t rust_ncr810_sg_dma_address(struct scatterlist *sg);
unsigned int rust_ncr810_sg_dma_len(struct scatterlist *sg);

#endif
