/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rust_igb C shim: out-of-line wrappers for the static inline functions and
 * macros of the networking headers that Rust cannot call directly. Every
 * function is a thin forwarder; the safety contract is the wrapped one's.
 */
#ifndef RUST_IGB_SHIM_H
#define RUST_IGB_SHIM_H

#include <linux/types.h>

struct net_device;
struct net_device_ops;
struct ethtool_ops;
struct ethtool_link_ksettings;
struct device;
struct delayed_work;
struct work_struct;
struct sk_buff;

void *rust_igb_netdev_priv(const struct net_device *dev);
void rust_igb_netdev_setup(struct net_device *dev, struct device *parent,
			   const struct net_device_ops *ops,
			   const struct ethtool_ops *ethtool_ops,
			   unsigned int min_mtu, unsigned int max_mtu);
void rust_igb_eth_hw_addr_set(struct net_device *dev, const u8 *addr);
const char *rust_igb_netdev_name(const struct net_device *dev);
struct device *rust_igb_netdev_parent(const struct net_device *dev);
bool rust_igb_netif_carrier_ok(const struct net_device *dev);
bool rust_igb_netif_running(const struct net_device *dev);
const char *rust_igb_dev_name(const struct device *dev);

void rust_igb_init_delayed_work(struct delayed_work *dw,
				void (*fn)(struct work_struct *work));
struct delayed_work *rust_igb_to_delayed_work(struct work_struct *work);
bool rust_igb_schedule_delayed_work(struct delayed_work *dw, unsigned int msecs);
unsigned int rust_igb_sizeof_delayed_work(void);

void rust_igb_ksettings_set_modes(struct ethtool_link_ksettings *ks,
				  u32 supported, u32 advertising,
				  u32 lp_advertising);

void rust_igb_dev_kfree_skb_any_reason(struct sk_buff *skb, unsigned int reason);
const char *rust_igb_dev_driver_name(const struct device *dev);

#endif /* RUST_IGB_SHIM_H */
