/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers that rust_igb's own bindgen run (Kbuild) parses. What gets bound is
 * chosen by net/bindgen_parameters.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/devlink.h>
#include <net/netdev_queues.h>
#include <net/page_pool/types.h>

#include "shim.h"
