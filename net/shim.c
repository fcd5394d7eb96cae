// SPDX-License-Identifier: GPL-2.0
/*
 * rust_igb C shim: see shim.h. No driver logic lives here.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
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

unsigned int rust_igb_netdev_flags(const struct net_device *dev)
{
	return dev->flags;
}

int rust_igb_netdev_mc_count(const struct net_device *dev)
{
	return netdev_mc_count(dev);
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

unsigned int rust_igb_sizeof_napi_struct(void)
{
	return sizeof(struct napi_struct);
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

void rust_igb_napi_add(struct net_device *dev, struct napi_struct *napi,
		       int (*poll)(struct napi_struct *, int))
{
	netif_napi_add(dev, napi, poll);
}

void rust_igb_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

void rust_igb_napi_schedule(struct napi_struct *napi)
{
	napi_schedule(napi);
}

void rust_igb_napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	napi_gro_receive(napi, skb);
}

struct sk_buff *rust_igb_napi_rx_copy(struct napi_struct *napi,
				      struct page *page, unsigned int offset,
				      unsigned int len)
{
	struct sk_buff *skb = napi_alloc_skb(napi, len);

	if (skb)
		skb_put_data(skb, page_address(page) + offset, len);
	return skb;
}

void rust_igb_netif_stop_subqueue(struct net_device *dev, u16 queue)
{
	netif_stop_subqueue(dev, queue);
}

void rust_igb_netif_wake_subqueue(struct net_device *dev, u16 queue)
{
	netif_wake_subqueue(dev, queue);
}

bool rust_igb_netif_subqueue_stopped(const struct net_device *dev, u16 queue)
{
	return __netif_subqueue_stopped(dev, queue);
}

void rust_igb_netif_tx_start_all_queues(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
}

void rust_igb_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

void rust_igb_netdev_tx_sent_queue(struct net_device *dev, u16 queue,
				   unsigned int bytes)
{
	netdev_tx_sent_queue(netdev_get_tx_queue(dev, queue), bytes);
}

void rust_igb_netdev_tx_completed_queue(struct net_device *dev, u16 queue,
					unsigned int pkts, unsigned int bytes)
{
	netdev_tx_completed_queue(netdev_get_tx_queue(dev, queue), pkts, bytes);
}

void rust_igb_netdev_tx_reset_queue(struct net_device *dev, u16 queue)
{
	netdev_tx_reset_queue(netdev_get_tx_queue(dev, queue));
}

bool rust_igb_netdev_xmit_more(void)
{
	return netdev_xmit_more();
}

unsigned int rust_igb_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

unsigned int rust_igb_skb_nr_frags(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->nr_frags;
}

unsigned int rust_igb_skb_frag_size(const struct sk_buff *skb, unsigned int i)
{
	return skb_frag_size(&skb_shinfo(skb)->frags[i]);
}

int rust_igb_skb_put_padto(struct sk_buff *skb, unsigned int len)
{
	return skb_put_padto(skb, len);
}

u64 rust_igb_skb_map_head(struct device *dev, struct sk_buff *skb)
{
	return dma_map_single(dev, skb->data, skb_headlen(skb), DMA_TO_DEVICE);
}

u64 rust_igb_skb_map_frag(struct device *dev, struct sk_buff *skb,
			  unsigned int i)
{
	skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

	return skb_frag_dma_map(dev, frag, 0, skb_frag_size(frag), DMA_TO_DEVICE);
}

void rust_igb_skb_rx_finish(struct sk_buff *skb, struct net_device *dev,
			    u16 queue)
{
	skb_record_rx_queue(skb, queue);
	skb->protocol = eth_type_trans(skb, dev);
}

u64 rust_igb_dma_map_page(struct device *dev, struct page *page,
			  unsigned int offset, unsigned int len, int dir)
{
	return dma_map_page(dev, page, offset, len, (enum dma_data_direction)dir);
}

void rust_igb_dma_unmap(struct device *dev, u64 addr, unsigned int len,
			int dir, bool page)
{
	if (page)
		dma_unmap_page(dev, addr, len, (enum dma_data_direction)dir);
	else
		dma_unmap_single(dev, addr, len, (enum dma_data_direction)dir);
}

bool rust_igb_dma_mapping_error(struct device *dev, u64 addr)
{
	return dma_mapping_error(dev, addr);
}

void rust_igb_dma_sync_for_cpu(struct device *dev, u64 addr,
			       unsigned int len, int dir)
{
	dma_sync_single_for_cpu(dev, addr, len, (enum dma_data_direction)dir);
}

void rust_igb_dma_sync_for_device(struct device *dev, u64 addr,
				  unsigned int len, int dir)
{
	dma_sync_single_for_device(dev, addr, len, (enum dma_data_direction)dir);
}

struct pci_dev *rust_igb_to_pci_dev(struct device *dev)
{
	return to_pci_dev(dev);
}

/* ethtool control plane (issue 5) */
bool rust_igb_ksettings_get_advertising(const struct ethtool_link_ksettings *ks,
					u32 *legacy)
{
	return ethtool_convert_link_mode_to_legacy_u32(legacy,
						       ks->link_modes.advertising);
}

void rust_igb_pci_ids(struct device *dev, u16 *vendor, u16 *device,
		      u8 *revision)
{
	struct pci_dev *pdev = to_pci_dev(dev);

	*vendor = pdev->vendor;
	*device = pdev->device;
	*revision = pdev->revision;
}

/* The receive filters again after a reset (as __dev_set_rx_mode, which is
 * not exported): under the address list lock, like the core's calls. */
void rust_igb_netdev_replay_rx_mode(struct net_device *dev)
{
	netif_addr_lock_bh(dev);
	if (dev->netdev_ops->ndo_set_rx_mode)
		dev->netdev_ops->ndo_set_rx_mode(dev);
	netif_addr_unlock_bh(dev);
}
