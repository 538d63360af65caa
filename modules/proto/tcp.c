/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp: the L4 protocol for IP protocol 6. parse() checks the header length
 * and records ports and flags (the checksum is not verified: see
 * docs/protocols.md); a SYN alone may open a conn; conns follow IPVS's TCP
 * state table for a load balancer that sees both directions (input-only for
 * DR/TUN), except that an RST in either direction always closes; only
 * ESTABLISHED counts as active. rewrite4() sets ports with incremental
 * checksum updates and clamps the MSS option of SYNs; reject() answers with
 * an RST built in place (RFC 793).
 * Config (modules.proto_tcp, every key optional; seconds, 0..31536000):
 *   timeouts = { established = 900; syn_sent = 120; syn_recv = 30;
 *     fin_wait = 120; time_wait = 120; close = 10; close_wait = 60;
 *     last_ack = 30; synack = 30; };
 *   mss_clamp = 0;	# 0 = off, else the largest MSS a SYN or SYN-ACK keeps (88..65535)
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include <plb/conf.h>
#include <plb/conn.h>
#include <plb/ip4.h>
#include <plb/log.h>
#include <plb/mbuf.h>
#include <plb/module.h>
#include <plb/proto.h>
#include <plb/stats.h>
#include <plb/worker.h>

/* TTL of the RSTs plb originates, as Linux's default */
#define TCP_RST_TTL 64
/* largest timeout accepted: one year */
#define TCP_TIMEOUT_MAX 31536000
/* smallest MSS clamp accepted, as Linux's TCP_MIN_MSS */
#define TCP_MSS_MIN 88

/* Conn states, numbered as IPVS numbers them. */
enum tcp_state {
	TCP_S_NONE,
	TCP_S_ESTABLISHED,
	TCP_S_SYN_SENT,
	TCP_S_SYN_RECV,
	TCP_S_FIN_WAIT,
	TCP_S_TIME_WAIT,
	TCP_S_CLOSE,
	TCP_S_CLOSE_WAIT,
	TCP_S_LAST_ACK,
	TCP_S_LISTEN,
	TCP_S_SYNACK,
	TCP_S_MAX
};

static const char *const tcp_state_names[TCP_S_MAX] = {
	[TCP_S_NONE] = "NONE",
	[TCP_S_ESTABLISHED] = "ESTABLISHED",
	[TCP_S_SYN_SENT] = "SYN_SENT",
	[TCP_S_SYN_RECV] = "SYN_RECV",
	[TCP_S_FIN_WAIT] = "FIN_WAIT",
	[TCP_S_TIME_WAIT] = "TIME_WAIT",
	[TCP_S_CLOSE] = "CLOSE",
	[TCP_S_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_S_LAST_ACK] = "LAST_ACK",
	[TCP_S_LISTEN] = "LISTEN",
	[TCP_S_SYNACK] = "SYNACK",
};

/* Config key of each state's timeout; NONE and LISTEN are fixed. */
static const char *const tcp_timeout_keys[TCP_S_MAX] = {
	[TCP_S_ESTABLISHED] = "established",
	[TCP_S_SYN_SENT] = "syn_sent",
	[TCP_S_SYN_RECV] = "syn_recv",
	[TCP_S_FIN_WAIT] = "fin_wait",
	[TCP_S_TIME_WAIT] = "time_wait",
	[TCP_S_CLOSE] = "close",
	[TCP_S_CLOSE_WAIT] = "close_wait",
	[TCP_S_LAST_ACK] = "last_ack",
	[TCP_S_SYNACK] = "synack",
};

/* IPVS's defaults, seconds (syn_recv 30 and synack 30 as DPVS) */
static const uint32_t tcp_timeout_defaults[TCP_S_MAX] = {
	[TCP_S_NONE] = 2,
	[TCP_S_ESTABLISHED] = 900,
	[TCP_S_SYN_SENT] = 120,
	[TCP_S_SYN_RECV] = 30,
	[TCP_S_FIN_WAIT] = 120,
	[TCP_S_TIME_WAIT] = 120,
	[TCP_S_CLOSE] = 10,
	[TCP_S_CLOSE_WAIT] = 60,
	[TCP_S_LAST_ACK] = 30,
	[TCP_S_LISTEN] = 120,
	[TCP_S_SYNACK] = 30,
};

/* Which flag drives a transition: RST first, then SYN, FIN, ACK. */
enum tcp_event {
	TCP_EV_SYN,
	TCP_EV_FIN,
	TCP_EV_ACK,
	TCP_EV_RST,
	TCP_EV_MAX
};

/* Which table: what the segment's direction and the conn's mode allow plb to see. */
enum tcp_table {
	TCP_T_INPUT,		/* client -> server, replies also pass plb */
	TCP_T_OUTPUT,		/* server -> client */
	TCP_T_INPUT_ONLY,	/* client -> server, replies bypass plb (DR, TUN) */
	TCP_T_MAX
};

#define NO TCP_S_NONE
#define ES TCP_S_ESTABLISHED
#define SS TCP_S_SYN_SENT
#define SR TCP_S_SYN_RECV
#define FW TCP_S_FIN_WAIT
#define TW TCP_S_TIME_WAIT
#define CL TCP_S_CLOSE
#define CW TCP_S_CLOSE_WAIT
#define LA TCP_S_LAST_ACK
#define LI TCP_S_LISTEN
#define SA TCP_S_SYNACK

/*
 * Next state by [table][event][current state], the transitions of IPVS's
 * tcp_states (Linux 6.x), except the RST rows: IPVS keeps a few states on
 * an RST, plb closes in every state and direction (docs/protocols.md).
 */
static const uint8_t tcp_next[TCP_T_MAX][TCP_EV_MAX][TCP_S_MAX] = {
	[TCP_T_INPUT] = {
		/*                NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
		[TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
		[TCP_EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW },
		[TCP_EV_ACK] = { CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
		[TCP_EV_RST] = { CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },
	},
	[TCP_T_OUTPUT] = {
		/*                NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
		[TCP_EV_SYN] = { SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR },
		[TCP_EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
		[TCP_EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
		[TCP_EV_RST] = { CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },
	},
	[TCP_T_INPUT_ONLY] = {
		/*                NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
		[TCP_EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
		[TCP_EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
		[TCP_EV_ACK] = { CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
		[TCP_EV_RST] = { CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },
	},
};

#undef NO
#undef ES
#undef SS
#undef SR
#undef FW
#undef TW
#undef CL
#undef CW
#undef LA
#undef LI
#undef SA

enum tcp_counter {
	TCP_C_RX,
	TCP_C_DROP_BAD_LEN,
	TCP_C_DROP_NONLINEAR,
	TCP_C_RST_SENT,
	TCP_C_MSS_CLAMPED,
	TCP_C_REJECT_RST,
	TCP_C_REJECT_BAD_SRC,
	TCP_C_REJECT_AF,
	TCP_C_MAX
};

static const char *const tcp_counter_names[TCP_C_MAX] = {
	[TCP_C_RX] = "rx",
	[TCP_C_DROP_BAD_LEN] = "drop_bad_len",
	[TCP_C_DROP_NONLINEAR] = "drop_nonlinear",
	[TCP_C_RST_SENT] = "rst_sent",
	[TCP_C_MSS_CLAMPED] = "mss_clamped",
	[TCP_C_REJECT_RST] = "drop_reject_rst",
	[TCP_C_REJECT_BAD_SRC] = "drop_reject_bad_src",
	[TCP_C_REJECT_AF] = "drop_reject_af",
};

static uint32_t tcp_cnt[TCP_C_MAX];
static uint32_t tcp_timeouts[TCP_S_MAX];
static uint16_t tcp_mss_clamp;		/* 0 = off */
static uint32_t tcp_check_only;		/* under `plb -t`: fini stays quiet */

static inline enum plb_verdict
tcp_drop(enum tcp_counter c)
{
	plb_counter_inc(tcp_cnt[c]);
	return PLB_DROP;
}

/* [fast] Check the TCP header at pkt->l4_off; fill ports and flags. */
static enum plb_verdict
tcp_parse(struct plb_pkt *pkt)
{
	const struct rte_tcp_hdr *th;
	uint32_t l3_hlen = pkt->l4_off - pkt->l3_off;
	uint32_t l4_len, hlen;

	plb_counter_inc(tcp_cnt[TCP_C_RX]);
	if (pkt->l3_len < l3_hlen + sizeof(*th))
		return tcp_drop(TCP_C_DROP_BAD_LEN);
	l4_len = pkt->l3_len - l3_hlen;
	/* the L3 handler trimmed the frame to l3_len: only a chain is shorter */
	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l4_off + sizeof(*th))
		return tcp_drop(TCP_C_DROP_NONLINEAR);
	th = plb_pkt_l4(pkt);
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > l4_len)
		return tcp_drop(TCP_C_DROP_BAD_LEN);
	if (rte_pktmbuf_data_len(pkt->mbuf) < (uint32_t)pkt->l4_off + hlen)
		return tcp_drop(TCP_C_DROP_NONLINEAR);

	pkt->sport = th->src_port;
	pkt->dport = th->dst_port;
	pkt->tcp_flags = th->tcp_flags;
	return PLB_ACCEPT;
}

/* [fast] A SYN without ACK, RST or FIN may open a conn. */
static int
tcp_conn_sched(const struct plb_pkt *pkt)
{
	return (pkt->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				  RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

/*
 * [fast] A SYN on a conn that is over (TIME_WAIT, CLOSE, or on its way out:
 * FIN_WAIT, CLOSE_WAIT, LAST_ACK) is a new connection from a reused client
 * port: IPVS's conn_reuse_mode 1. Without this the new connection would stick
 * to the old dest (and, under FNAT, its old local port).
 */
static int
tcp_conn_reused(const struct plb_conn *conn, const struct plb_pkt *pkt)
{
	if (!tcp_conn_sched(pkt))
		return 0;
	switch (conn->state) {
	case TCP_S_TIME_WAIT:
	case TCP_S_CLOSE:
	case TCP_S_FIN_WAIT:
	case TCP_S_CLOSE_WAIT:
	case TCP_S_LAST_ACK:
		return 1;
	default:
		return 0;
	}
}

/* [fast] Advance @conn for a segment with @pkt's flags going @dir; refresh its timeout. */
static void
tcp_conn_state(struct plb_conn *conn, const struct plb_pkt *pkt, int dir)
{
	uint8_t f = pkt->tcp_flags, cur = conn->state, next;
	enum tcp_table t;
	int ev;

	if (cur >= TCP_S_MAX)
		cur = TCP_S_NONE;
	if (f & RTE_TCP_RST_FLAG)
		ev = TCP_EV_RST;
	else if (f & RTE_TCP_SYN_FLAG)
		ev = TCP_EV_SYN;
	else if (f & RTE_TCP_FIN_FLAG)
		ev = TCP_EV_FIN;
	else if (f & RTE_TCP_ACK_FLAG)
		ev = TCP_EV_ACK;
	else
		ev = -1;	/* no flag that moves the state: only the timer restarts */

	if (ev < 0) {
		next = cur;
	} else {
		if (dir == PLB_DIR_OUT)
			t = TCP_T_OUTPUT;
		else if (conn->flags & PLB_CONN_F_NO_OUT)
			t = TCP_T_INPUT_ONLY;
		else
			t = TCP_T_INPUT;
		next = tcp_next[t][ev][cur];
	}
	plb_conn_update(conn, next, next == TCP_S_ESTABLISHED, tcp_timeouts[next]);
}

/*
 * [fast] The checksum @csum (as stored) after the two bytes at offset @off of
 * the TCP header @th were overwritten with @val (network order). The bytes
 * may straddle two 16-bit words of the sum when @off is odd.
 */
static uint16_t
tcp_csum_set_bytes(uint8_t *th, uint32_t off, uint16_t val, uint16_t csum)
{
	uint32_t base = off & ~1u, n = (off & 1) ? 2 : 1, i;
	uint16_t before[2], after[2];

	memcpy(before, th + base, n * 2);
	memcpy(th + off, &val, 2);
	memcpy(after, th + base, n * 2);
	for (i = 0; i < n; i++)
		csum = plb_csum_replace2(csum, before[i], after[i]);
	return csum;
}

/* [fast] Lower the MSS option of SYN segment @th to tcp_mss_clamp if it is larger. */
static void
tcp_clamp_mss(struct rte_tcp_hdr *th)
{
	uint8_t *h = (uint8_t *)th;
	uint32_t hlen = (uint32_t)(th->data_off >> 4) * 4;
	uint32_t i = sizeof(*th), olen;
	uint16_t mss;

	while (i < hlen) {
		if (h[i] == 0)		/* end of option list */
			return;
		if (h[i] == 1) {	/* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return;
		olen = h[i + 1];
		if (olen < 2 || i + olen > hlen)
			return;		/* malformed list: leave it to the endpoints */
		if (h[i] == 2 && olen == 4) {
			mss = (uint16_t)(h[i + 2] << 8 | h[i + 3]);
			if (mss > tcp_mss_clamp) {
				th->cksum = tcp_csum_set_bytes(h, i + 2,
							       rte_cpu_to_be_16(tcp_mss_clamp),
							       th->cksum);
				plb_counter_inc(tcp_cnt[TCP_C_MSS_CLAMPED]);
			}
			return;
		}
		i += olen;
	}
}

/*
 * [fast] Set ports to @sport/@dport and fix the checksum for them and for
 * the pseudo-header addresses @saddr/@daddr that replace the ones still in
 * the IP header; clamp the MSS of SYNs. pkt->sport/dport follow.
 */
static void
tcp_rewrite4(struct plb_pkt *pkt, uint32_t saddr, uint16_t sport, uint32_t daddr,
	     uint16_t dport)
{
	const struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct rte_tcp_hdr *th = plb_pkt_l4(pkt);
	uint32_t s = plb_csum_begin(th->cksum);

	s = plb_csum_add4(s, ip->src_addr, saddr);
	s = plb_csum_add4(s, ip->dst_addr, daddr);
	s = plb_csum_add2(s, th->src_port, sport);
	s = plb_csum_add2(s, th->dst_port, dport);
	th->src_port = sport;
	th->dst_port = dport;
	th->cksum = plb_csum_end(s);
	pkt->sport = sport;
	pkt->dport = dport;
	if (tcp_mss_clamp != 0 && (th->tcp_flags & RTE_TCP_SYN_FLAG))
		tcp_clamp_mss(th);
}

/*
 * [fast] Answer the segment in @pkt with an RST (RFC 793, "Reset
 * Generation"), built in place: no options, no payload; sent back out of
 * the port it came in on, to the MAC it came from. An RST is never answered.
 */
static enum plb_verdict
tcp_reject(struct plb_pkt *pkt)
{
	struct rte_mbuf *m = pkt->mbuf;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = plb_pkt_l3(pkt);
	struct rte_tcp_hdr *th = plb_pkt_l4(pkt);
	uint32_t saddr, daddr, seq, ack, seg_len;
	uint16_t sport, dport;
	struct rte_ether_addr mac;
	uint8_t flags = th->tcp_flags;

	if (pkt->af != AF_INET)
		return tcp_drop(TCP_C_REJECT_AF);
	if (flags & RTE_TCP_RST_FLAG)
		return tcp_drop(TCP_C_REJECT_RST);
	if (!plb_ip4_unicast(ip->src_addr))
		return tcp_drop(TCP_C_REJECT_BAD_SRC);

	/* read everything needed before the new headers overwrite it */
	saddr = ip->src_addr;
	daddr = ip->dst_addr;
	sport = th->src_port;
	dport = th->dst_port;
	seg_len = pkt->l3_len - (pkt->l4_off - pkt->l3_off) - (uint32_t)(th->data_off >> 4) * 4;
	seg_len += !!(flags & RTE_TCP_SYN_FLAG) + !!(flags & RTE_TCP_FIN_FLAG);
	if (flags & RTE_TCP_ACK_FLAG) {
		seq = th->recv_ack;	/* <SEQ=SEG.ACK><CTL=RST> */
		ack = 0;
		flags = RTE_TCP_RST_FLAG;
	} else {
		seq = 0;		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		ack = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + seg_len);
		flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*th));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = TCP_RST_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = daddr;
	ip->dst_addr = saddr;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = dport;
	th->dst_port = sport;
	th->sent_seq = seq;
	th->recv_ack = ack;
	th->data_off = (sizeof(*th) / 4) << 4;
	th->tcp_flags = flags;
	th->rx_win = 0;
	th->tcp_urp = 0;
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);

	rte_ether_addr_copy(&eth->src_addr, &mac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&mac, &eth->dst_addr);
	plb_mbuf_truncate(m, (uint32_t)pkt->l3_off + sizeof(*ip) + sizeof(*th));

	pkt->saddr.v4 = daddr;
	pkt->daddr.v4 = saddr;
	pkt->sport = dport;
	pkt->dport = sport;
	pkt->tcp_flags = flags;
	pkt->l3_len = sizeof(*ip) + sizeof(*th);
	pkt->l4_off = pkt->l3_off + sizeof(*ip);
	pkt->ttl = TCP_RST_TTL;

	plb_counter_inc(tcp_cnt[TCP_C_RST_SENT]);
	plb_tx(pkt->port, m);
	return PLB_STOLEN;
}

/* [any] Name of conn state @state. */
static const char *
tcp_state_name(uint8_t state)
{
	return state < TCP_S_MAX ? tcp_state_names[state] : "?";
}

/* [ctl] Read integer member @key of @s into *val if present, bounded by @lo..@hi. */
static int
tcp_conf_uint(const config_setting_t *s, const char *key, long long lo, long long hi,
	      uint32_t *val, char **err)
{
	const config_setting_t *m = config_setting_get_member(s, key);
	long long v;

	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_INT && config_setting_type(m) != CONFIG_TYPE_INT64)
		return plb_conf_err(m, err, -EINVAL, "expected an integer");
	v = config_setting_get_int64(m);
	if (v < lo || v > hi)
		return plb_conf_err(m, err, -EINVAL, "%lld out of range %lld..%lld", v, lo, hi);
	*val = (uint32_t)v;
	return 0;
}

/* [ctl] Read the timeouts group @t. */
static int
tcp_conf_timeouts(const config_setting_t *t, uint32_t *timeouts, char **err)
{
	const char *keys[TCP_S_MAX + 1];
	uint32_t i, n = 0;
	int rc;

	if (!config_setting_is_group(t))
		return plb_conf_err(t, err, -EINVAL, "expected a group { state = seconds; ... }");
	for (i = 0; i < TCP_S_MAX; i++)
		if (tcp_timeout_keys[i] != NULL)
			keys[n++] = tcp_timeout_keys[i];
	keys[n] = NULL;
	rc = plb_conf_check_keys(t, keys, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < TCP_S_MAX; i++) {
		if (tcp_timeout_keys[i] == NULL)
			continue;
		rc = tcp_conf_uint(t, tcp_timeout_keys[i], 0, TCP_TIMEOUT_MAX, &timeouts[i], err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* [ctl] Read the settings, register the counters. */
static int
tcp_init(const struct plb_env *env, const config_setting_t *conf, char **err)
{
	static const char *const keys[] = { "timeouts", "mss_clamp", NULL };
	uint32_t timeouts[TCP_S_MAX], mss = 0;
	const config_setting_t *t;
	int rc;

	memcpy(timeouts, tcp_timeout_defaults, sizeof(timeouts));
	if (conf != NULL) {
		rc = plb_conf_check_keys(conf, keys, err);
		if (rc != 0)
			return rc;
		t = config_setting_get_member(conf, "timeouts");
		if (t != NULL) {
			rc = tcp_conf_timeouts(t, timeouts, err);
			if (rc != 0)
				return rc;
		}
		rc = tcp_conf_uint(conf, "mss_clamp", 0, UINT16_MAX, &mss, err);
		if (rc != 0)
			return rc;
		if (mss != 0 && mss < TCP_MSS_MIN)
			return plb_conf_err(config_setting_get_member(conf, "mss_clamp"), err,
					    -EINVAL, "%u too small: 0 (off) or %u..65535", mss,
					    TCP_MSS_MIN);
	}
	memcpy(tcp_timeouts, timeouts, sizeof(timeouts));
	tcp_mss_clamp = (uint16_t)mss;
	tcp_check_only = env->check_only;
	rc = plb_counters_register("tcp", tcp_counter_names, TCP_C_MAX, tcp_cnt, err);
	if (rc != 0)
		return rc;
	return 0;
}

/* [ctl] Workers stopped: log what this module saw. */
static void
tcp_fini(void)
{
	if (tcp_check_only)
		return;
	PLB_LOG(INFO, "proto.tcp", "fini: %" PRIu64 " segments, %" PRIu64 " RSTs sent, %"
		PRIu64 " MSS clamped", plb_counter_read(tcp_cnt[TCP_C_RX]),
		plb_counter_read(tcp_cnt[TCP_C_RST_SENT]),
		plb_counter_read(tcp_cnt[TCP_C_MSS_CLAMPED]));
}

static const struct plb_proto_ops tcp_ops = {
	.ipproto = IPPROTO_TCP,
	.parse = tcp_parse,
	.conn_sched = tcp_conn_sched,
	.conn_state = tcp_conn_state,
	.rewrite4 = tcp_rewrite4,
	.reject = tcp_reject,
	.state_name = tcp_state_name,
	.conn_reused = tcp_conn_reused,
};

PLB_MODULE_REGISTER(PROTO, "tcp", &tcp_ops,
	.version = "1.0",
	.description = "TCP: parsing, IPVS state machine, port rewrite, MSS clamp, RST",
	.init = tcp_init,
	.fini = tcp_fini);
