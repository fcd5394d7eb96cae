// SPDX-License-Identifier: GPL-2.0
/*
 * rust_igb C shim: see shim.h. No driver logic lives here.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/devlink.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>

#include "shim.h"

const size_t rust_igb_netdev_priv_offset = offsetof(struct net_device, priv);
const size_t rust_igb_netdev_parent_offset = offsetof(struct net_device, dev.parent);

void rust_igb_netdev_setup(struct net_device *dev, struct device *parent,
			   const struct net_device_ops *ops,
			   const struct ethtool_ops *ethtool_ops,
			   const struct netdev_stat_ops *stat_ops,
			   unsigned int min_mtu, unsigned int max_mtu)
{
	SET_NETDEV_DEV(dev, parent);
	dev->netdev_ops = ops;
	dev->ethtool_ops = ethtool_ops;
	dev->stat_ops = stat_ops;
	dev->min_mtu = min_mtu;
	dev->max_mtu = max_mtu;
	dev->watchdog_timeo = 5 * HZ;
}

void rust_igb_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

/*
 * Copy the interface name into out[IFNAMSIZ], NUL-terminated and padded.
 * netdev_copy_name() (under the rename seqlock) is not exported to modules, so
 * the bytes are read with READ_ONCE, as the many readers of netdev_name() in
 * log messages do: a concurrent rename may give a mix of the two names, but
 * never an unterminated one, and the caller owns its copy.
 */
static_assert(IFNAMSIZ == 16, "net/device.rs IFNAMSIZ");

void rust_igb_netdev_copy_name(const struct net_device *dev, char *out)
{
	const char *name = netdev_name(dev);
	size_t i;

	for (i = 0; i < IFNAMSIZ - 1; i++) {
		out[i] = READ_ONCE(name[i]);
		if (!out[i])
			break;
	}
	for (; i < IFNAMSIZ; i++)
		out[i] = 0;
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

/*
 * INIT_DELAYED_WORK gives every work item initialised at one call site the
 * same lockdep class; this one call site serves all of the driver's work
 * items, so each caller passes a class (and name) of its own. With one class,
 * the reset work cancelling the watchdog (which may be running: it is what
 * queued the reset) reads to lockdep as a work item flushing itself,
 * "possible recursive locking detected".
 */
void rust_igb_init_delayed_work(struct delayed_work *dw,
				void (*fn)(struct work_struct *work),
				const char *name, struct lock_class_key *key)
{
	INIT_DELAYED_WORK(dw, fn);
	lockdep_init_map(&dw->work.lockdep_map, name, key, 0);
}

struct delayed_work *rust_igb_to_delayed_work(struct work_struct *work)
{
	return to_delayed_work(work);
}

bool rust_igb_schedule_delayed_work(struct delayed_work *dw, unsigned int msecs)
{
	return schedule_delayed_work(dw, msecs_to_jiffies(msecs));
}

/* Run now, also if already pending with a later expiry (mod_timer(jiffies + 1)
 * in igb_msix_other); on the queue schedule_delayed_work uses. Any context. */
bool rust_igb_kick_delayed_work(struct delayed_work *dw)
{
	return mod_delayed_work(system_percpu_wq, dw, 0);
}

unsigned int rust_igb_sizeof_delayed_work(void)
{
	return sizeof(struct delayed_work);
}

unsigned int rust_igb_sizeof_napi_struct(void)
{
	return sizeof(struct napi_struct);
}

struct devlink *rust_igb_devlink_alloc(const struct devlink_ops *ops,
				       size_t priv_size, struct device *dev)
{
	return devlink_alloc(ops, priv_size, dev);
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

/*
 * NAPI instance `index` with the persistent per-NAPI configuration of the same
 * index (ID, defer-hard-irqs, GRO flush and IRQ-suspend timeouts, threaded),
 * so they survive a close and reopen; -EINVAL past the device's configs (the
 * core does not check).
 */
int rust_igb_napi_add(struct net_device *dev, struct napi_struct *napi,
		      int (*poll)(struct napi_struct *, int), unsigned int index)
{
	if (index >= dev->num_napi_configs)
		return -EINVAL;
	netif_napi_add_config(dev, napi, poll, index);
	return 0;
}

/* The interrupt that serves `napi` (-1: none), as netdev netlink shows it. */
void rust_igb_napi_set_irq(struct napi_struct *napi, int irq)
{
	netif_napi_set_irq(napi, irq);
}

/*
 * Link queue `index` (TX if `tx`, else RX) to `napi`, or unlink it (NULL),
 * for netdev netlink's queue-get; -EINVAL past the queues the device has
 * (the core does not check).
 */
int rust_igb_queue_set_napi(struct net_device *dev, unsigned int index, bool tx,
			    struct napi_struct *napi)
{
	if (index >= (tx ? dev->num_tx_queues : dev->num_rx_queues))
		return -EINVAL;
	netif_queue_set_napi(dev, index,
			     tx ? NETDEV_QUEUE_TYPE_TX : NETDEV_QUEUE_TYPE_RX, napi);
	return 0;
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

/* Whether softirqs cannot run here: in or below a softirq, BHs or interrupts off. */
/* The SoftirqLock forms (net/lock.rs), one call per lock and unlock. */
static bool rust_igb_softirqs_off(void)
{
	return in_softirq() || in_hardirq() || irqs_disabled();
}

/*
 * Hard-IRQ or NMI context, or an oops/panic being printed: where netpoll
 * (netconsole's panic flush) may reach ndo_start_xmit on a CPU whose
 * interrupted code, or a CPU the panic stopped, holds a ring lock.
 */
bool rust_igb_must_not_spin(void)
{
	return in_hardirq() || in_nmi() || oops_in_progress;
}

bool rust_igb_softirq_lock(struct spinlock *lock, unsigned long *flags)
{
	if (rust_igb_softirqs_off()) {
		spin_lock(lock);
		return false;
	}
	spin_lock_irqsave(lock, *flags);
	return true;
}

bool rust_igb_softirq_trylock(struct spinlock *lock, bool *saved, unsigned long *flags)
{
	*saved = !rust_igb_softirqs_off();
	if (!*saved)
		return spin_trylock(lock);
	return spin_trylock_irqsave(lock, *flags);
}

void rust_igb_softirq_unlock(struct spinlock *lock, bool saved, unsigned long flags)
{
	if (saved)
		spin_unlock_irqrestore(lock, flags);
	else
		spin_unlock(lock);
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

bool rust_igb_netdev_tx_sent_queue(struct net_device *dev, u16 queue,
				   unsigned int bytes)
{
	return __netdev_tx_sent_queue(netdev_get_tx_queue(dev, queue), bytes,
				      netdev_xmit_more());
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

/*
 * Transmit mappings: 0 and the bus address in *addr, or -ENOMEM with
 * nothing mapped. Error-injectable (fail_function), so that the tests can
 * fail them: without an IOMMU or bounce buffers they never fail under QEMU.
 */
/*
 * The TX mappings return the mapped length as well, so that a transmit reads
 * the skb's layout once, in the call that maps it. A fragment index past
 * nr_frags is -EINVAL.
 */
int rust_igb_skb_map_head(struct device *dev, struct sk_buff *skb, u64 *addr,
			  u32 *len)
{
	unsigned int size = skb_headlen(skb);
	dma_addr_t a = dma_map_single(dev, skb->data, size, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	*addr = a;
	*len = size;
	return 0;
}
ALLOW_ERROR_INJECTION(rust_igb_skb_map_head, ERRNO);

int rust_igb_skb_map_frag(struct device *dev, struct sk_buff *skb,
			  unsigned int i, u64 *addr, u32 *len)
{
	skb_frag_t *frag;
	unsigned int size;
	dma_addr_t a;

	if (i >= skb_shinfo(skb)->nr_frags)
		return -EINVAL;
	frag = &skb_shinfo(skb)->frags[i];
	size = skb_frag_size(frag);
	a = skb_frag_dma_map(dev, frag, 0, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	*addr = a;
	*len = size;
	return 0;
}
ALLOW_ERROR_INJECTION(rust_igb_skb_map_frag, ERRNO);

void rust_igb_skb_rx_finish(struct sk_buff *skb, struct net_device *dev,
			    u16 queue)
{
	skb_record_rx_queue(skb, queue);
	skb->protocol = eth_type_trans(skb, dev);
}

void rust_igb_dma_unmap(struct device *dev, u64 addr, unsigned int len,
			int dir, bool page)
{
	if (page)
		dma_unmap_page(dev, addr, len, (enum dma_data_direction)dir);
	else
		dma_unmap_single(dev, addr, len, (enum dma_data_direction)dir);
}

struct pci_dev *rust_igb_to_pci_dev(struct device *dev)
{
	return to_pci_dev(dev);
}

/* The PCI core knows the device is gone for good: pciehp's surprise removal
 * (pciehp_unconfigure_device without presence), DPC, a failed AER recovery
 * (pci_dev_set_disconnected). The test of drivers/pci/pci.h's
 * pci_dev_is_disconnected, which is not exported to modules. */
bool rust_igb_pci_disconnected(struct device *dev)
{
	return READ_ONCE(to_pci_dev(dev)->error_state) == pci_channel_io_perm_failure;
}

/* Multi-queue: queue counts, XPS, RSS, IRQ affinity */

unsigned int rust_igb_num_online_cpus(void)
{
	return num_online_cpus();
}

int rust_igb_netif_set_xps_queue(struct net_device *dev, unsigned int cpu,
				 u16 queue)
{
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	return netif_set_xps_queue(dev, cpumask_of(cpu), queue);
}

void rust_igb_skb_set_hash(struct sk_buff *skb, u32 hash, bool l4)
{
	skb_set_hash(skb, hash, l4 ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
}

int rust_igb_irq_set_affinity_hint(unsigned int irq, unsigned int cpu)
{
	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	return irq_set_affinity_and_hint(irq, cpumask_of(cpu));
}

int rust_igb_irq_clear_affinity_hint(unsigned int irq)
{
	return irq_update_affinity_hint(irq, NULL);
}

/* RX buffers from a page_pool, received without copying (net/page_pool.rs) */

/*
 * NET_SKB_PAD is max(32, L1_CACHE_BYTES), which is not a constant
 * expression: the same value through MAX(), checked against it at build
 * time in rust_igb_page_pool_create().
 */
#define RUST_IGB_RX_HEADROOM (MAX(32, L1_CACHE_BYTES) + NET_IP_ALIGN)
const unsigned int rust_igb_rx_headroom = RUST_IGB_RX_HEADROOM;
const unsigned int rust_igb_skb_shared_info_size = SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

int rust_igb_page_pool_create(struct device *dev, unsigned int pool_size,
			      unsigned int order, unsigned int offset,
			      unsigned int max_len, struct page_pool **out)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = order,
		.pool_size = pool_size,
		.nid = NUMA_NO_NODE,
		.dev = dev,
		.dma_dir = DMA_FROM_DEVICE,
		.offset = offset,
		.max_len = max_len,
	};
	struct page_pool *pool;

	BUILD_BUG_ON(NET_SKB_PAD + NET_IP_ALIGN != RUST_IGB_RX_HEADROOM);
	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	*out = pool;
	return 0;
}

struct page *rust_igb_page_pool_alloc(struct page_pool *pool, bool atomic)
{
	return page_pool_alloc_pages(pool, (atomic ? GFP_ATOMIC : GFP_KERNEL) |
					   __GFP_NOWARN);
}

struct page *rust_igb_page_pool_alloc_frag(struct page_pool *pool,
					   unsigned int *offset,
					   unsigned int size, bool atomic)
{
	return page_pool_alloc_frag(pool, offset, size,
				    (atomic ? GFP_ATOMIC : GFP_KERNEL) |
					    __GFP_NOWARN);
}

u64 rust_igb_page_pool_dma_addr(const struct page *page)
{
	return page_pool_get_dma_addr(page);
}

void rust_igb_page_pool_put(struct page_pool *pool, struct page *page)
{
	page_pool_put_full_page(pool, page, false);
}

void rust_igb_page_pool_sync_for_cpu(const struct page_pool *pool,
				     const struct page *page, u32 offset,
				     u32 len)
{
	page_pool_dma_sync_for_cpu(pool, page, offset, len);
}

void rust_igb_page_pool_sync_for_device(const struct page_pool *pool,
					const struct page *page, u32 offset,
					u32 len)
{
	dma_sync_single_range_for_device(pool->p.dev,
					 page_pool_get_dma_addr(page),
					 pool->p.offset + offset, len,
					 DMA_FROM_DEVICE);
}

struct sk_buff *rust_igb_build_rx_skb(struct page *page, unsigned int offset,
				      unsigned int truesize,
				      unsigned int headroom, unsigned int len)
{
	struct sk_buff *skb = napi_build_skb(page_address(page) + offset,
					     truesize);

	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	__skb_put(skb, len);
	skb_mark_for_recycle(skb);
	return skb;
}
/* Error-injectable (fail_function) for the tests, as the skb allocation of
 * the receive path: NULL is what napi_build_skb returns when it fails. */
ALLOW_ERROR_INJECTION(rust_igb_build_rx_skb, NULL);

unsigned int rust_igb_netdev_mtu(const struct net_device *dev)
{
	return READ_ONCE(dev->mtu);
}

void rust_igb_netdev_set_mtu(struct net_device *dev, unsigned int mtu)
{
	WRITE_ONCE(dev->mtu, mtu);
}

/* Offloads (net/skb_offload.rs, net/features.rs) */

void rust_igb_skb_tx_headers(const struct sk_buff *skb,
			     struct rust_igb_tx_headers *h)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);

	h->len = skb->len;
	h->network_offset = skb_network_offset(skb);
	h->csum_start = skb_checksum_start_offset(skb);
	h->csum_offset = skb->csum_offset;
	h->csum_partial = skb->ip_summed == CHECKSUM_PARTIAL;
	h->sctp = skb_csum_is_sctp((struct sk_buff *)skb);
	h->vlan_present = skb_vlan_tag_present(skb);
	h->vlan_tci = h->vlan_present ? skb_vlan_tag_get(skb) : 0;
	h->gso = skb_is_gso(skb);
	h->gso_tcp = !!(sh->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6));
	h->gso_udp_l4 = !!(sh->gso_type & SKB_GSO_UDP_L4);
	h->gso_size = sh->gso_size;
	h->gso_segs = sh->gso_segs;
	h->encapsulation = skb->encapsulation;
}

/* The header edits of igb_tso() for TCP and UDP (GSO_UDP_L4) segmentation,
 * tunnelled (GSO_PARTIAL) or not; the descriptor is built in Rust. The network
 * header is the outermost IP header, the checksum start the innermost L4
 * header: the hardware rewrites the one and checksums the other per segment.
 * The stack has already made every header between them that of one segment. */
int rust_igb_skb_tso_prepare(struct sk_buff *skb, struct rust_igb_tso_headers *t)
{
	union {
		struct iphdr *v4;
		struct ipv6hdr *v6;
		unsigned char *hdr;
	} ip;
	union {
		struct tcphdr *tcp;
		struct udphdr *udp;
		unsigned char *hdr;
	} l4;
	unsigned int gso_type = skb_shinfo(skb)->gso_type;
	u32 paylen, l4_offset;
	int err;

	if (skb->ip_summed != CHECKSUM_PARTIAL || !skb_is_gso(skb) ||
	    !(gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_UDP_L4)))
		return -EINVAL;

	err = skb_cow_head(skb, 0);
	if (err < 0)
		return err;

	ip.hdr = skb_network_header(skb);
	l4.hdr = skb_checksum_start(skb);

	if (ip.v4->version == 4) {
		unsigned char *csum_start = skb_checksum_start(skb);
		unsigned char *trans_start = ip.hdr + (ip.v4->ihl * 4);

		/* The hardware checksums IPLEN bytes from the IP header,
		 * through any tunnel headers: seed the field so that they
		 * cancel out. */
		ip.v4->check = csum_fold(csum_partial(trans_start,
						      csum_start - trans_start, 0));
		ip.v4->tot_len = 0;
		t->ipv4 = true;
	} else {
		ip.v6->payload_len = 0;
		t->ipv4 = false;
	}

	l4_offset = l4.hdr - skb->data;
	paylen = skb->len - l4_offset;
	t->l4_offset = l4_offset;
	if (gso_type & SKB_GSO_UDP_L4) {
		t->udp = true;
		t->hdr_len = sizeof(*l4.udp) + l4_offset;
		csum_replace_by_diff(&l4.udp->check, (__force __wsum)htonl(paylen));
	} else {
		t->udp = false;
		t->hdr_len = l4.tcp->doff * 4 + l4_offset;
		csum_replace_by_diff(&l4.tcp->check, (__force __wsum)htonl(paylen));
	}
	return 0;
}

/* A software checksum of the requested kind (CRC32c for SCTP), as
 * skb_csum_hwoffload_help() does without the offload features. */
int rust_igb_skb_checksum_help(struct sk_buff *skb)
{
	if (skb_csum_is_sctp(skb))
		return skb_crc32c_csum_help(skb);
	return skb_checksum_help(skb);
}

void rust_igb_skb_csum_unnecessary(struct sk_buff *skb)
{
	skb->ip_summed = CHECKSUM_UNNECESSARY;
}

void rust_igb_skb_put_vlan_tag(struct sk_buff *skb, u16 tci)
{
	__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci);
}

u64 rust_igb_netdev_features(const struct net_device *dev)
{
	return READ_ONCE(dev->features);
}

void rust_igb_netdev_set_features(struct net_device *dev, u64 features,
				  u64 hw_features, u64 vlan_features,
				  u64 enc_features, u64 gso_partial_features,
				  u64 mpls_features)
{
	dev->features |= features;
	dev->hw_features |= hw_features;
	dev->vlan_features |= vlan_features;
	dev->hw_enc_features |= enc_features;
	dev->gso_partial_features |= gso_partial_features;
	dev->mpls_features |= mpls_features;
}

/* Receive filters: address lists, MAC address, VLAN filter (net/addr.rs) */

int rust_igb_netdev_uc_count(const struct net_device *dev)
{
	return netdev_uc_count(dev);
}

static struct netdev_hw_addr_list *rust_igb_hw_addr_list(struct net_device *dev,
							 bool uc)
{
	return uc ? &dev->uc : &dev->mc;
}

/* First entry of the unicast (uc) or multicast list, NULL if empty. */
struct netdev_hw_addr *rust_igb_netdev_hw_addr_first(struct net_device *dev,
						     bool uc)
{
	return list_first_entry_or_null(&rust_igb_hw_addr_list(dev, uc)->list,
					struct netdev_hw_addr, list);
}

/* The entry after ha in the same list, NULL after the last. */
struct netdev_hw_addr *rust_igb_netdev_hw_addr_next(struct net_device *dev,
						    bool uc,
						    struct netdev_hw_addr *ha)
{
	if (list_is_last(&ha->list, &rust_igb_hw_addr_list(dev, uc)->list))
		return NULL;
	return list_next_entry(ha, list);
}

const u8 *rust_igb_netdev_hw_addr_addr(const struct netdev_hw_addr *ha)
{
	return ha->addr;
}

void rust_igb_netdev_dev_addr(const struct net_device *dev, u8 *out)
{
	memcpy(out, dev->dev_addr, ETH_ALEN);
}

const u8 *rust_igb_sockaddr_data(const void *sa)
{
	return (const u8 *)((const struct sockaddr *)sa)->sa_data;
}

bool rust_igb_is_valid_ether_addr(const u8 *addr)
{
	return is_valid_ether_addr(addr);
}

/* Before register_netdev: the device filters unicast addresses itself
 * (IFF_UNICAST_FLT) and/or filters VLAN IDs (NETIF_F_HW_VLAN_CTAG_FILTER). */
void rust_igb_netdev_enable_filters(struct net_device *dev, bool unicast,
				    bool vlan)
{
	if (unicast)
		dev->priv_flags |= IFF_UNICAST_FLT;
	if (vlan)
		dev->features |= NETIF_F_HW_VLAN_CTAG_FILTER;
}

struct sk_buff *rust_igb_napi_copy_skb(struct napi_struct *napi,
				       struct page *page, unsigned int offset,
				       unsigned int len)
{
	struct sk_buff *skb = napi_alloc_skb(napi, len);

	if (skb)
		skb_put_data(skb, page_address(page) + offset, len);
	return skb;
}
/* Error-injectable (fail_function) for the tests, as above. */
ALLOW_ERROR_INJECTION(rust_igb_napi_copy_skb, NULL);

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

/* System sleep, shutdown and Wake-on-LAN (net/pm.rs) */

bool rust_igb_pci_is_enabled(struct pci_dev *pdev)
{
	return pci_is_enabled(pdev);
}

bool rust_igb_device_can_wakeup(struct device *dev)
{
	return device_can_wakeup(dev);
}

bool rust_igb_system_powering_off(void)
{
	return system_state == SYSTEM_POWER_OFF;
}
