// SPDX-License-Identifier: GPL-2.0
/*
 * rust_igb C shim: see shim.h. No driver logic lives here.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "shim.h"

void *rust_igb_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

void rust_igb_netdev_setup(struct net_device *dev, struct device *parent,
			   const struct net_device_ops *ops,
			   const struct ethtool_ops *ethtool_ops,
			   unsigned int min_mtu, unsigned int max_mtu)
{
	SET_NETDEV_DEV(dev, parent);
	dev->netdev_ops = ops;
	dev->ethtool_ops = ethtool_ops;
	dev->min_mtu = min_mtu;
	dev->max_mtu = max_mtu;
	dev->watchdog_timeo = 5 * HZ;
}

void rust_igb_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

const char *rust_igb_netdev_name(const struct net_device *dev)
{
	return netdev_name(dev);
}

struct device *rust_igb_netdev_parent(const struct net_device *dev)
{
	return dev->dev.parent;
}

bool rust_igb_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

bool rust_igb_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

const char *rust_igb_dev_name(const struct device *dev)
{
	return dev_name(dev);
}

void rust_igb_init_delayed_work(struct delayed_work *dw,
				void (*fn)(struct work_struct *work))
{
	INIT_DELAYED_WORK(dw, fn);
}

struct delayed_work *rust_igb_to_delayed_work(struct work_struct *work)
{
	return to_delayed_work(work);
}

bool rust_igb_schedule_delayed_work(struct delayed_work *dw, unsigned int msecs)
{
	return schedule_delayed_work(dw, msecs_to_jiffies(msecs));
}

unsigned int rust_igb_sizeof_delayed_work(void)
{
	return sizeof(struct delayed_work);
}

void rust_igb_ksettings_set_modes(struct ethtool_link_ksettings *ks,
				  u32 supported, u32 advertising,
				  u32 lp_advertising)
{
	ethtool_convert_legacy_u32_to_link_mode(ks->link_modes.supported, supported);
	ethtool_convert_legacy_u32_to_link_mode(ks->link_modes.advertising, advertising);
	ethtool_convert_legacy_u32_to_link_mode(ks->link_modes.lp_advertising,
						lp_advertising);
}

void rust_igb_dev_kfree_skb_any_reason(struct sk_buff *skb, unsigned int reason)
{
	dev_kfree_skb_any_reason(skb, (enum skb_drop_reason)reason);
}

const char *rust_igb_dev_driver_name(const struct device *dev)
{
	return dev->driver ? dev->driver->name : "";
}
