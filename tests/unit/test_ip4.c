/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plb/ip4.h: the incremental checksum helpers (RFC 1624) against a full
 * recomputation (rte_ipv4_cksum, rte_raw_cksum) over many pseudo-random
 * headers and values, including the 0x0000/0xffff edge words, and
 * plb_ip4_set_addrs() leaving a header that verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_ip.h>

#include <plb/ip4.h>

static uint64_t ip4t_seed = 0x243f6a8885a308d3ull;

static uint32_t
ip4t_rand(void)
{
	ip4t_seed = ip4t_seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(ip4t_seed >> 32);
}

/* One in eight values is an edge word (all zeros or all ones). */
static uint32_t
ip4t_value(void)
{
	switch (ip4t_rand() & 7) {
	case 0: return 0;
	case 1: return 0xffffffffu;
	case 2: return ip4t_rand() & 0xffff0000u;
	default: return ip4t_rand();
	}
}

static void
ip4t_random_hdr(struct rte_ipv4_hdr *ip)
{
	uint32_t w[5];
	int i;

	for (i = 0; i < 5; i++)
		w[i] = ip4t_value();
	memcpy(ip, w, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Setting addresses incrementally gives the checksum a recomputation gives. */
static void
test_set_addrs_matches_full_checksum(void **state)
{
	struct rte_ipv4_hdr ip, ref;
	int i;

	for (i = 0; i < 200000; i++) {
		uint32_t s = ip4t_value(), d = ip4t_value();

		ip4t_random_hdr(&ip);
		plb_ip4_set_addrs(&ip, s, d);
		assert_int_equal(ip.src_addr, s);
		assert_int_equal(ip.dst_addr, d);
		/* summing a valid header with its checksum gives 0 after the complement */
		assert_int_equal(rte_ipv4_cksum(&ip), 0);
		ref = ip;
		ref.hdr_checksum = 0;
		ref.hdr_checksum = rte_ipv4_cksum(&ref);
		assert_int_equal(ip.hdr_checksum, ref.hdr_checksum);
	}
}

/* A 16-bit and a 32-bit replacement inside a 16-byte block, as a raw checksum. */
static void
test_replace_over_raw_data(void **state)
{
	uint16_t buf[8], csum, old16, new16;
	uint32_t old32, new32;
	int i, j;

	for (i = 0; i < 200000; i++) {
		for (j = 0; j < 8; j++)
			buf[j] = (uint16_t)ip4t_value();
		buf[7] = 0;
		csum = (uint16_t)~rte_raw_cksum(buf, sizeof(buf));
		if (csum == 0)
			continue;	/* all-zero data sums to 0xffff: a checksum nobody stores */
		old16 = buf[1];
		new16 = (uint16_t)ip4t_value();
		buf[1] = new16;
		csum = plb_csum_replace2(csum, old16, new16);
		memcpy(&old32, &buf[2], 4);
		new32 = ip4t_value();
		memcpy(&buf[2], &new32, 4);
		csum = plb_csum_replace4(csum, old32, new32);
		buf[7] = 0;
		if (rte_raw_cksum(buf, sizeof(buf)) == 0)
			continue;	/* all-zero data again: +0 and -0 are both fine */
		buf[7] = csum;
		assert_int_equal(rte_raw_cksum(buf, sizeof(buf)), 0xffff);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_addrs_matches_full_checksum),
		cmocka_unit_test(test_replace_over_raw_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
