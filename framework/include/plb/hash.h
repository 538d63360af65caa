/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cheap, well-mixed 64-bit hashes for schedulers (consistent hashing, Maglev)
 * and anything else that must map packet fields to a bucket. Header-only,
 * needs no DPDK; the functions are [any]. Not cryptographic and not keyed
 * against an attacker: a seed only separates independent uses. The values
 * are stable across builds and hosts (little- or big-endian alike), so a
 * table built twice from the same input is the same table.
 */
#ifndef PLB_HASH_H
#define PLB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <plb/conf.h>
#include <plb/pkt.h>

/** [any] The MurmurHash3 64-bit finalizer: every input bit flips ~half the output bits. */
static inline uint64_t
plb_hash_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/** [any] Fold one 64-bit word into running state @h (call plb_hash_fmix64() at the end). */
static inline uint64_t
plb_hash_step(uint64_t h, uint64_t w)
{
	w *= 0x87c37b91114253d5ULL;
	w = (w << 31) | (w >> 33);
	w *= 0x4cf5ad432745937fULL;
	h ^= w;
	h = (h << 27) | (h >> 37);
	return h * 5 + 0x52dce729;
}

/** [any] Hash @len bytes at @p with @seed. Byte order independent. */
static inline uint64_t
plb_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;
	size_t i;

	for (; len >= 8; len -= 8, b += 8) {
		w = 0;
		for (i = 0; i < 8; i++)
			w |= (uint64_t)b[i] << (8 * i);
		h = plb_hash_step(h, w);
	}
	if (len > 0) {
		w = 0;
		for (i = 0; i < len; i++)
			w |= (uint64_t)b[i] << (8 * i);
		h = plb_hash_step(h, w);
	}
	return plb_hash_fmix64(h);
}

/** [any] Hash an address of family @af (AF_INET: 4 bytes, otherwise 16) with @seed. */
static inline uint64_t
plb_hash_addr(uint8_t af, const struct plb_addr *a, uint64_t seed)
{
	return plb_hash_bytes(a, af == AF_INET ? 4 : 16, seed);
}

/** [any] Hash a packet's source address (the client) with @seed. */
static inline uint64_t
plb_hash_pkt_sip(const struct plb_pkt *pkt, uint64_t seed)
{
	return plb_hash_addr(pkt->af, &pkt->saddr, seed);
}

/**
 * [any] Hash a packet's 5-tuple (source and destination address, source and
 * destination port, IP protocol) with @seed.
 */
static inline uint64_t
plb_hash_pkt_5tuple(const struct plb_pkt *pkt, uint64_t seed)
{
	uint8_t buf[40];
	size_t alen = pkt->af == AF_INET ? 4 : 16;

	memcpy(buf, &pkt->saddr, alen);
	memcpy(buf + alen, &pkt->daddr, alen);
	memcpy(buf + 2 * alen, &pkt->sport, 2);
	memcpy(buf + 2 * alen + 2, &pkt->dport, 2);
	buf[2 * alen + 4] = pkt->l4_proto;
	return plb_hash_bytes(buf, 2 * alen + 5, seed);
}

/** What a hashing scheduler hashes (its `key` option). */
enum plb_hash_key {
	PLB_HASH_KEY_SIP = 0,	/**< "sip": the client address (the default) */
	PLB_HASH_KEY_5TUPLE,	/**< "5tuple": addresses, ports and protocol */
};

/** [fast] Hash @pkt by @key (enum plb_hash_key). */
static inline uint64_t
plb_hash_pkt_key(const struct plb_pkt *pkt, uint32_t key, uint64_t seed)
{
	return key == PLB_HASH_KEY_SIP ? plb_hash_pkt_sip(pkt, seed) : plb_hash_pkt_5tuple(pkt, seed);
}

/**
 * [ctl] Read the `key` member of a hashing scheduler's options @opts (may
 * be NULL: the default, "sip") into *key. 0, or -EINVAL with *err naming
 * file:line and the value.
 */
static inline int
plb_hash_key_opt(const config_setting_t *opts, uint32_t *key, char **err)
{
	const config_setting_t *s = opts ? config_setting_get_member(opts, "key") : NULL;
	const char *v;

	*key = PLB_HASH_KEY_SIP;
	if (s == NULL)
		return 0;
	v = config_setting_get_string(s);
	if (v != NULL && strcmp(v, "sip") == 0)
		*key = PLB_HASH_KEY_SIP;
	else if (v != NULL && strcmp(v, "5tuple") == 0)
		*key = PLB_HASH_KEY_5TUPLE;
	else
		return plb_conf_err(s, err, -EINVAL, "expected \"sip\" or \"5tuple\"%s%s%s",
				    v ? ", got \"" : "", v ? v : "", v ? "\"" : "");
	return 0;
}

#endif /* PLB_HASH_H */
