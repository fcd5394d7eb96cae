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
struct lock_class_key;
struct sk_buff;
struct spinlock;

/*
 * Offsets into struct net_device, fixed for the kernel build: the private
 * area (netdev_priv()) and the parent device pointer (dev.parent). Rust reads
 * them instead of calling a function: the datapath reaches its private data
 * many times per packet, and an out-of-tree module cannot inline C.
 */
extern const size_t rust_igb_netdev_priv_offset;
extern const size_t rust_igb_netdev_parent_offset;
struct netdev_stat_ops;
void rust_igb_netdev_setup(struct net_device *dev, struct device *parent,
			   const struct net_device_ops *ops,
			   const struct ethtool_ops *ethtool_ops,
			   const struct netdev_stat_ops *stat_ops,
			   unsigned int min_mtu, unsigned int max_mtu);
void rust_igb_eth_hw_addr_set(struct net_device *dev, const u8 *addr);
void rust_igb_netdev_copy_name(const struct net_device *dev, char *out);
bool rust_igb_netif_carrier_ok(const struct net_device *dev);
bool rust_igb_netif_running(const struct net_device *dev);
unsigned int rust_igb_netdev_flags(const struct net_device *dev);
int rust_igb_netdev_mc_count(const struct net_device *dev);
const char *rust_igb_dev_name(const struct device *dev);

void rust_igb_init_delayed_work(struct delayed_work *dw,
				void (*fn)(struct work_struct *work),
				const char *name, struct lock_class_key *key);
struct delayed_work *rust_igb_to_delayed_work(struct work_struct *work);
bool rust_igb_schedule_delayed_work(struct delayed_work *dw, unsigned int msecs);
bool rust_igb_kick_delayed_work(struct delayed_work *dw);
unsigned int rust_igb_sizeof_delayed_work(void);
unsigned int rust_igb_sizeof_napi_struct(void);

void rust_igb_ksettings_set_modes(struct ethtool_link_ksettings *ks,
				  u32 supported, u32 advertising,
				  u32 lp_advertising);

void rust_igb_dev_kfree_skb_any_reason(struct sk_buff *skb, unsigned int reason);
const char *rust_igb_dev_driver_name(const struct device *dev);

/* NAPI */
struct napi_struct;
int rust_igb_napi_add(struct net_device *dev, struct napi_struct *napi,
		      int (*poll)(struct napi_struct *, int), unsigned int index);
void rust_igb_napi_set_irq(struct napi_struct *napi, int irq);
int rust_igb_queue_set_napi(struct net_device *dev, unsigned int index, bool tx,
			    struct napi_struct *napi);
void rust_igb_napi_del(struct napi_struct *napi);
void rust_igb_napi_schedule(struct napi_struct *napi);
void rust_igb_napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);

/* devlink (net/devlink.rs): devlink_alloc() is static inline */
struct devlink;
struct devlink_ops;
struct devlink *rust_igb_devlink_alloc(const struct devlink_ops *ops,
				       size_t priv_size, struct device *dev);

/* Locking (net/lock.rs) */
/*
 * Plain spin_lock where softirqs cannot run (softirq, hard IRQ, interrupts
 * off), else spin_lock_irqsave; the lock functions report in *saved / their
 * result whether interrupts were saved into *flags, which unlock undoes.
 */
bool rust_igb_softirq_lock(struct spinlock *lock, unsigned long *flags);
bool rust_igb_softirq_trylock(struct spinlock *lock, bool *saved, unsigned long *flags);
bool rust_igb_must_not_spin(void);
void rust_igb_softirq_unlock(struct spinlock *lock, bool saved, unsigned long flags);

/* TX queues and byte queue limits */
void rust_igb_netif_stop_subqueue(struct net_device *dev, u16 queue);
void rust_igb_netif_wake_subqueue(struct net_device *dev, u16 queue);
bool rust_igb_netif_subqueue_stopped(const struct net_device *dev, u16 queue);
void rust_igb_netif_tx_start_all_queues(struct net_device *dev);
void rust_igb_netif_tx_disable(struct net_device *dev);
bool rust_igb_netdev_tx_sent_queue(struct net_device *dev, u16 queue,
				   unsigned int bytes);
void rust_igb_netdev_tx_completed_queue(struct net_device *dev, u16 queue,
					unsigned int pkts, unsigned int bytes);
void rust_igb_netdev_tx_reset_queue(struct net_device *dev, u16 queue);

/* sk_buff */
unsigned int rust_igb_skb_nr_frags(const struct sk_buff *skb);
unsigned int rust_igb_skb_frag_size(const struct sk_buff *skb, unsigned int i);
int rust_igb_skb_put_padto(struct sk_buff *skb, unsigned int len);
int rust_igb_skb_map_head(struct device *dev, struct sk_buff *skb, u64 *addr,
			  u32 *len);
int rust_igb_skb_map_frag(struct device *dev, struct sk_buff *skb,
			  unsigned int i, u64 *addr, u32 *len);
void rust_igb_skb_rx_finish(struct sk_buff *skb, struct net_device *dev,
			    u16 queue);

/* Streaming DMA */
struct page;
void rust_igb_dma_unmap(struct device *dev, u64 addr, unsigned int len,
			int dir, bool page);

/* PCI interrupts */
struct pci_dev *rust_igb_to_pci_dev(struct device *dev);
bool rust_igb_pci_disconnected(struct device *dev);

/* Multi-queue: queue counts, XPS, RSS, IRQ affinity */
struct sk_buff;
unsigned int rust_igb_num_online_cpus(void);
int rust_igb_netif_set_xps_queue(struct net_device *dev, unsigned int cpu,
				 u16 queue);
void rust_igb_skb_set_hash(struct sk_buff *skb, u32 hash, bool l4);
int rust_igb_irq_set_affinity_hint(unsigned int irq, unsigned int cpu);
int rust_igb_irq_clear_affinity_hint(unsigned int irq);

/* RX buffers from a page_pool, received without copying (net/page_pool.rs) */
struct page_pool;
/* Constants of the kernel build (variables so Rust reads them without a call). */
extern const unsigned int rust_igb_rx_headroom;		/* NET_SKB_PAD + NET_IP_ALIGN */
extern const unsigned int rust_igb_skb_shared_info_size;	/* aligned skb_shared_info */
int rust_igb_page_pool_create(struct device *dev, unsigned int pool_size,
			      unsigned int order, unsigned int offset,
			      unsigned int max_len, struct page_pool **out);
struct page *rust_igb_page_pool_alloc(struct page_pool *pool, bool atomic);
struct page *rust_igb_page_pool_alloc_frag(struct page_pool *pool,
					   unsigned int *offset,
					   unsigned int size, bool atomic);
u64 rust_igb_page_pool_dma_addr(const struct page *page);
void rust_igb_page_pool_put(struct page_pool *pool, struct page *page);
void rust_igb_page_pool_sync_for_cpu(const struct page_pool *pool,
				     const struct page *page, u32 offset,
				     u32 len);
void rust_igb_page_pool_sync_for_device(const struct page_pool *pool,
					const struct page *page, u32 offset,
					u32 len);
struct sk_buff *rust_igb_build_rx_skb(struct page *page, unsigned int offset,
				      unsigned int truesize,
				      unsigned int headroom, unsigned int len);
unsigned int rust_igb_netdev_mtu(const struct net_device *dev);
void rust_igb_netdev_set_mtu(struct net_device *dev, unsigned int mtu);

/* Offloads (net/skb_offload.rs, net/features.rs) */
struct rust_igb_tx_headers {
	u32 len;
	int network_offset;
	int csum_start;
	u16 csum_offset;
	bool csum_partial;
	bool sctp;
	bool vlan_present;
	u16 vlan_tci;
	bool gso;
	bool gso_tcp;
	bool gso_udp_l4;
	u32 gso_size;
	u32 gso_segs;
	bool encapsulation;
};
struct rust_igb_tso_headers {
	bool ipv4;
	bool udp;
	u32 l4_offset;
	u32 hdr_len;
};
void rust_igb_skb_tx_headers(const struct sk_buff *skb,
			     struct rust_igb_tx_headers *h);
int rust_igb_skb_tso_prepare(struct sk_buff *skb, struct rust_igb_tso_headers *t);
int rust_igb_skb_checksum_help(struct sk_buff *skb);
void rust_igb_skb_csum_unnecessary(struct sk_buff *skb);
void rust_igb_skb_put_vlan_tag(struct sk_buff *skb, u16 tci);
u64 rust_igb_netdev_features(const struct net_device *dev);
void rust_igb_netdev_set_features(struct net_device *dev, u64 features,
				  u64 hw_features, u64 vlan_features,
				  u64 enc_features, u64 gso_partial_features,
				  u64 mpls_features);

/* Receive filters: address lists, MAC address, VLAN filter (net/addr.rs) */
struct netdev_hw_addr;
int rust_igb_netdev_uc_count(const struct net_device *dev);
struct netdev_hw_addr *rust_igb_netdev_hw_addr_first(struct net_device *dev,
						     bool uc);
struct netdev_hw_addr *rust_igb_netdev_hw_addr_next(struct net_device *dev,
						    bool uc,
						    struct netdev_hw_addr *ha);
const u8 *rust_igb_netdev_hw_addr_addr(const struct netdev_hw_addr *ha);
void rust_igb_netdev_dev_addr(const struct net_device *dev, u8 *out);
const u8 *rust_igb_sockaddr_data(const void *sa);
bool rust_igb_is_valid_ether_addr(const u8 *addr);
void rust_igb_netdev_enable_filters(struct net_device *dev, bool unicast,
				    bool vlan);

struct sk_buff *rust_igb_napi_copy_skb(struct napi_struct *napi,
				       struct page *page, unsigned int offset,
				       unsigned int len);

/* ethtool control plane (issue 5) */
bool rust_igb_ksettings_get_advertising(const struct ethtool_link_ksettings *ks,
					u32 *legacy);
void rust_igb_pci_ids(struct device *dev, u16 *vendor, u16 *device,
		      u8 *revision);
void rust_igb_netdev_replay_rx_mode(struct net_device *dev);

/* System sleep, shutdown and Wake-on-LAN (net/pm.rs) */
bool rust_igb_pci_is_enabled(struct pci_dev *pdev);
bool rust_igb_device_can_wakeup(struct device *dev);
bool rust_igb_system_powering_off(void);

#endif /* RUST_IGB_SHIM_H */
