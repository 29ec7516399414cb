// SPDX-License-Identifier: GPL-2.0
/*
 * rust_ncr810's SCSI host template and the accessors scsi.rs calls (see
 * rust_ncr810_scsi.h). No logic: the template's entry points forward to
 * Rust with the chip pointer kept in the host's private data.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include "rust_ncr810_scsi.h"

static const void *chip_of(struct Scsi_Host *shost)
{
	return *(const void **)shost_priv(shost);
}

static enum scsi_qc_status ncr810_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	return rust_ncr810_queue(chip_of(shost), cmd) ? SCSI_MLQUEUE_HOST_BUSY : 0;
}

static int ncr810_eh_abort(struct scsi_cmnd *cmd)
{
	return rust_ncr810_eh_abort(chip_of(cmd->device->host), cmd) ? SUCCESS : FAILED;
}

/*
 * The error handler runs with every outstanding command in its hands; a
 * reset asked for by SG_SCSI_RESET on a disk runs while normal I/O may be
 * in flight, whose command the driver must then complete itself.
 */
static bool from_reset_ioctl(const struct scsi_cmnd *cmd)
{
	return cmd->submitter == SUBMITTED_BY_SCSI_RESET_IOCTL;
}

static int ncr810_eh_bus_reset(struct scsi_cmnd *cmd)
{
	return rust_ncr810_eh_reset(chip_of(cmd->device->host), false, from_reset_ioctl(cmd)) ?
		       SUCCESS : FAILED;
}

static int ncr810_eh_host_reset(struct scsi_cmnd *cmd)
{
	return rust_ncr810_eh_reset(chip_of(cmd->device->host), true, from_reset_ioctl(cmd)) ?
		       SUCCESS : FAILED;
}

static const struct scsi_host_template rust_ncr810_template = {
	.module = THIS_MODULE,
	.name = "rust_ncr810",
	.proc_name = "rust_ncr810",
	.queuecommand = ncr810_queuecommand,
	.eh_abort_handler = ncr810_eh_abort,
	.eh_bus_reset_handler = ncr810_eh_bus_reset,
	.eh_host_reset_handler = ncr810_eh_host_reset,
	/* One command at a time: each gets its own SCRIPTS program. */
	.can_queue = 1,
	.cmd_per_lun = 1,
	/* The chip addresses 32 bits; a block move counts 24. */
	.dma_boundary = 0xffffffff,
	.max_segment_size = 0x00ffffff,
};

struct Scsi_Host *rust_ncr810_host_alloc(const void *chip, u16 sg_tablesize,
					 u32 max_sectors, u8 max_cmd_len, int this_id)
{
	struct Scsi_Host *shost = scsi_host_alloc(&rust_ncr810_template, sizeof(chip));

	if (!shost)
		return NULL;
	*(const void **)shost_priv(shost) = chip;
	shost->sg_tablesize = sg_tablesize;
	shost->max_sectors = max_sectors;
	shost->max_cmd_len = max_cmd_len;
	shost->this_id = this_id;
	shost->max_id = 8;
	shost->max_lun = 8;
	shost->max_channel = 0;
	return shost;
}

int rust_ncr810_host_add(struct Scsi_Host *shost, struct device *dev)
{
	int ret = scsi_add_host(shost, dev);

	if (ret)
		return ret;
	scsi_scan_host(shost);
	return 0;
}

void rust_ncr810_host_remove(struct Scsi_Host *shost)
{
	scsi_remove_host(shost);
}

void rust_ncr810_host_put(struct Scsi_Host *shost)
{
	scsi_host_put(shost);
}

unsigned int rust_ncr810_host_no(const struct Scsi_Host *shost)
{
	return shost->host_no;
}

void rust_ncr810_cmd_info(struct scsi_cmnd *cmd, struct rust_ncr810_cmd_info *info)
{
	info->cdb = cmd->cmnd;
	info->cdb_len = cmd->cmd_len;
	info->target = cmd->device->id;
	info->channel = cmd->device->channel;
	info->lun = cmd->device->lun;
	info->length = scsi_bufflen(cmd);
	switch (cmd->sc_data_direction) {
	case DMA_TO_DEVICE:
		info->direction = RUST_NCR810_DIR_TO_DEVICE;
		break;
	case DMA_FROM_DEVICE:
		info->direction = RUST_NCR810_DIR_FROM_DEVICE;
		break;
	case DMA_BIDIRECTIONAL:
		info->direction = RUST_NCR810_DIR_BIDIRECTIONAL;
		break;
	default:
		info->direction = RUST_NCR810_DIR_NONE;
	}
}

int rust_ncr810_cmd_map(struct scsi_cmnd *cmd, struct rust_ncr810_segment *segs, u32 max)
{
	struct scatterlist *sg;
	int n = scsi_dma_map(cmd);
	int i;

	if (n <= 0)
		return n;
	if (n > max) {
		scsi_dma_unmap(cmd);
		return -EINVAL;
	}
	scsi_for_each_sg(cmd, sg, n, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u32 len = sg_dma_len(sg);

		if (upper_32_bits(addr) || upper_32_bits(addr + len - 1)) {
			scsi_dma_unmap(cmd);
			return -EIO;
		}
		segs[i].addr = lower_32_bits(addr);
		segs[i].len = len;
	}
	return n;
}

void rust_ncr810_cmd_unmap(struct scsi_cmnd *cmd)
{
	scsi_dma_unmap(cmd);
}

static const u8 host_byte_of[] = {
	[RUST_NCR810_OK] = DID_OK,
	[RUST_NCR810_NO_CONNECT] = DID_NO_CONNECT,
	[RUST_NCR810_BUS_RESET] = DID_RESET,
	[RUST_NCR810_PARITY] = DID_PARITY,
	[RUST_NCR810_ERROR] = DID_ERROR,
};

void rust_ncr810_cmd_done(struct scsi_cmnd *cmd, u32 outcome, u8 status, u32 residual,
			  const u8 *sense, u32 sense_len)
{
	u8 host = outcome < ARRAY_SIZE(host_byte_of) ? host_byte_of[outcome] : DID_ERROR;

	cmd->result = (host << 16) | status;
	scsi_set_resid(cmd, min(residual, scsi_bufflen(cmd)));
	if (sense && sense_len)
		memcpy(cmd->sense_buffer, sense, min_t(u32, sense_len, SCSI_SENSE_BUFFERSIZE));
	scsi_done(cmd);
}
