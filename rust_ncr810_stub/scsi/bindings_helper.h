/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen reads for rust_ncr810's SCSI layer (Kbuild: the
 * scsi_bindings_generated.rs rule; scsi/bindgen_parameters says which
 * items it keeps). The kernel crate's bindings include no SCSI header.
 */
#include <linux/scatterlist.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_status.h>

#include "../rust_ncr810_scsi.h"
