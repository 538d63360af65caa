/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports and plb's own addresses on them, from the config's ports list.
 * Read-only after start-up; safe from any thread.
 */
#ifndef PLB_PORT_H
#define PLB_PORT_H

#include <stdint.h>

/** An IPv4 address on a port, network order. */
struct plb_ifaddr4 {
	uint32_t addr;
	uint8_t prefix_len;
};

struct plb_port_info {
	uint16_t id;		/**< DPDK port id */
	const char *name;	/**< name from the config */
	uint8_t mac[6];
	uint32_t n_addr4;
	const struct plb_ifaddr4 *addr4;
};

/**
 * [any] Number of ports plb drives. Ports are named by their DPDK port id
 * (plb_port_get); with vdevs only these are 0 .. n-1, but do not rely on it.
 */
uint16_t plb_port_count(void);

/** [any] Info on port @id, or NULL if plb drives no such port. */
const struct plb_port_info *plb_port_get(uint16_t id);

/** What an IPv4 address is to plb (plb_addr4_kind). */
enum plb_addr_kind {
	PLB_ADDR_NONE = 0,	/**< not plb's */
	PLB_ADDR_IFADDR,	/**< an address of a port (from ports[].addresses) */
	PLB_ADDR_VIP,		/**< a service's virtual address */
	PLB_ADDR_LADDR,		/**< an FNAT local address */
};

/**
 * [fast] What IPv4 @addr (network order) is to plb. For an IFADDR, *port
 * (if not NULL) is its port; VIPs and LADDRs answer on every port.
 */
enum plb_addr_kind plb_addr4_kind(uint32_t addr, uint16_t *port);

/**
 * [fast] Both at once, in one lookup: PLB_ADDR_INFO_KIND() is the
 * plb_addr4_kind() of @addr, PLB_ADDR_INFO_VIP() its PLB_VIP_F_* flags.
 * The L3 handler stores it in plb_pkt.dst_info for the hooks.
 */
uint8_t plb_addr4_info(uint32_t addr);
#define PLB_ADDR_INFO_KIND(i)	((enum plb_addr_kind)((i) & 0x0f))
#define PLB_ADDR_INFO_VIP(i)	((uint32_t)(i) >> 4)

/**
 * [any] If @addr (IPv4, network order) is one of plb's own addresses,
 * return 1 and store its port in *port (if not NULL); else 0.
 */
int plb_addr4_is_local(uint32_t addr, uint16_t *port);

#endif /* PLB_PORT_H */
