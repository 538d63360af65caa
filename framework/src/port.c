/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.port: the packet mempool (each mbuf carries a struct plb_pkt in its
 * private area) and the ports from the config: probed from their devargs
 * (a PCI address or a vdev string), one TX queue per worker, up to one RX
 * queue per worker (queue q is polled by worker q % workers), started and
 * closed. Also the SDK's read-only view of ports and local addresses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <plb/log.h>
#include <plb/pkt.h>
#include <plb/port.h>

#include "runtime.h"

#define LOG_TYPE "core.port"

struct port {
	struct plb_port_info info;
	char *name;
	uint16_t n_rxq, n_txq;
	int started;
};

static struct rte_mempool *pool;
static struct port ports[RTE_MAX_ETHPORTS];	/* indexed by DPDK port id */
static uint16_t ids_v[RTE_MAX_ETHPORTS];
static struct plb_port_ids ids = { .n = 0, .ids = ids_v };

/* "net_af_packet0,iface=x" -> "net_af_packet0"; "0000:00:08.0" stays */
static char *
dev_name(const char *devargs)
{
	return strndup(devargs, strcspn(devargs, ","));
}

static int
probe(const struct plb_conf *conf, const struct plb_conf_port *cp, uint16_t *pid, char **err)
{
	char *name = dev_name(cp->dev);
	int rc;

	if (name == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	if (rte_eth_dev_get_port_by_name(name, pid) != 0) {
		rc = rte_dev_probe(cp->dev);
		if (rc < 0) {
			plb_err(err, rc, "%s:%d: ports: port %s: cannot probe device \"%s\": %s",
				conf->file, cp->line, cp->name, cp->dev, rte_strerror(-rc));
			free(name);
			return rc;
		}
		if (rte_eth_dev_get_port_by_name(name, pid) != 0) {
			plb_err(err, -ENODEV, "%s:%d: ports: port %s: device \"%s\" probed but no ethdev named %s",
				conf->file, cp->line, cp->name, cp->dev, name);
			free(name);
			return -ENODEV;
		}
	}
	free(name);
	return 0;
}

static int
setup_one(const struct plb_conf *conf, const struct plb_conf_port *cp, uint32_t n_workers, char **err)
{
	struct rte_eth_conf pconf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	struct port *p;
	uint16_t pid, nrx, rxd = cp->rx_desc, txd = cp->tx_desc;
	int rc;

	rc = probe(conf, cp, &pid, err);
	if (rc)
		return rc;
	p = &ports[pid];
	if (p->name)
		return plb_err(err, -EEXIST, "%s:%d: ports: port %s: device \"%s\" is already port %s",
			       conf->file, cp->line, cp->name, cp->dev, p->name);
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc)
		return plb_err(err, rc, "%s:%d: ports: port %s: cannot read device info: %s",
			       conf->file, cp->line, cp->name, rte_strerror(-rc));
	if (info.max_tx_queues < n_workers)
		return plb_err(err, -EINVAL,
			       "%s:%d: ports: port %s: device \"%s\" offers %u TX queue(s), the %u workers "
			       "need one each (af_packet: add qpairs=%u to the device string)",
			       conf->file, cp->line, cp->name, cp->dev, info.max_tx_queues,
			       n_workers, n_workers);
	nrx = RTE_MIN((uint32_t)info.max_rx_queues, n_workers);
	if (nrx == 0)
		nrx = 1;
	memset(&pconf, 0, sizeof(pconf));
	if (nrx > 1 && info.flow_type_rss_offloads) {
		pconf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		pconf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	rc = rte_eth_dev_configure(pid, nrx, n_workers, &pconf);
	if (rc)
		return plb_err(err, rc, "%s:%d: ports: port %s: configure with %u RX / %u TX queues: %s",
			       conf->file, cp->line, cp->name, nrx, n_workers, rte_strerror(-rc));
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (rc)
		return plb_err(err, rc, "%s:%d: ports: port %s: descriptors: %s",
			       conf->file, cp->line, cp->name, rte_strerror(-rc));
	for (uint16_t q = 0; q < nrx; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, rxd, rte_eth_dev_socket_id(pid), NULL, pool);
		if (rc)
			return plb_err(err, rc, "%s:%d: ports: port %s: RX queue %u: %s",
				       conf->file, cp->line, cp->name, q, rte_strerror(-rc));
	}
	for (uint16_t q = 0; q < n_workers; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, txd, rte_eth_dev_socket_id(pid), NULL);
		if (rc)
			return plb_err(err, rc, "%s:%d: ports: port %s: TX queue %u: %s",
				       conf->file, cp->line, cp->name, q, rte_strerror(-rc));
	}
	rc = rte_eth_macaddr_get(pid, &mac);
	if (rc)
		return plb_err(err, rc, "%s:%d: ports: port %s: MAC address: %s",
			       conf->file, cp->line, cp->name, rte_strerror(-rc));
	p->name = strdup(cp->name);
	if (p->name == NULL)
		return plb_err(err, -ENOMEM, "out of memory");
	p->info.id = pid;
	p->info.name = p->name;
	memcpy(p->info.mac, mac.addr_bytes, 6);
	p->info.n_addr4 = cp->n_addr4;
	p->info.addr4 = cp->addr4;	/* the conf outlives the ports */
	p->n_rxq = nrx;
	p->n_txq = n_workers;
	ids.ids[ids.n++] = pid;
	PLB_LOG(INFO, LOG_TYPE, "port %s: %s is port %u, %u RX / %u TX queues, MAC "
		RTE_ETHER_ADDR_PRT_FMT, cp->name, cp->dev, pid, nrx, n_workers,
		RTE_ETHER_ADDR_BYTES(&mac));
	return 0;
}

int
plb_ports_setup(const struct plb_conf *conf, uint32_t n_workers, char **err)
{
	unsigned priv = RTE_ALIGN_CEIL(sizeof(struct plb_pkt), RTE_MBUF_PRIV_ALIGN);
	int rc;

	pool = rte_pktmbuf_pool_create("plb_pkt", conf->mempool.mbufs, conf->mempool.cache,
				       priv, conf->mempool.data_room, rte_socket_id());
	if (pool == NULL)
		return plb_err(err, -rte_errno, "%s: mempool of %u mbufs (data_room %u): %s",
			       conf->file, conf->mempool.mbufs, conf->mempool.data_room,
			       rte_strerror(rte_errno));
	for (uint32_t i = 0; i < conf->n_ports; i++) {
		rc = setup_one(conf, &conf->ports[i], n_workers, err);
		if (rc)
			return rc;
	}
	return 0;
}

int
plb_ports_start(char **err)
{
	for (uint16_t i = 0; i < ids.n; i++) {
		struct port *p = &ports[ids.ids[i]];
		int rc = rte_eth_dev_start(ids.ids[i]);

		if (rc)
			return plb_err(err, rc, "port %s: start: %s", p->name, rte_strerror(-rc));
		p->started = 1;
		/* WHY ignore errors: some vdevs (ring, null) have no promiscuous mode */
		rte_eth_promiscuous_enable(ids.ids[i]);
	}
	return 0;
}

void
plb_ports_close(void)
{
	for (uint16_t i = 0; i < ids.n; i++) {
		struct port *p = &ports[ids.ids[i]];

		if (p->started)
			rte_eth_dev_stop(ids.ids[i]);
		rte_eth_dev_close(ids.ids[i]);
		free(p->name);
		memset(p, 0, sizeof(*p));
	}
	ids.n = 0;
	rte_mempool_free(pool);
	pool = NULL;
}

uint16_t
plb_port_rxq_count(uint16_t port)
{
	return ports[port].n_rxq;
}

const struct plb_port_ids *
plb_ports(void)
{
	return &ids;
}

uint16_t
plb_port_count(void)
{
	return ids.n;
}

const struct plb_port_info *
plb_port_get(uint16_t id)
{
	if (id >= RTE_MAX_ETHPORTS || ports[id].name == NULL)
		return NULL;
	return &ports[id].info;
}

int
plb_addr4_is_local(uint32_t addr, uint16_t *port)
{
	/* a handful of addresses: a scan beats a hash here */
	for (uint16_t i = 0; i < ids.n; i++) {
		const struct plb_port_info *pi = &ports[ids.ids[i]].info;

		for (uint32_t a = 0; a < pi->n_addr4; a++) {
			if (pi->addr4[a].addr == addr) {
				if (port)
					*port = pi->id;
				return 1;
			}
		}
	}
	return 0;
}
