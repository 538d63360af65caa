/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.metrics tests without EAL: control.metrics parsing (default, good
 * values, each error message with FILE:LINE), and plb_metrics_render() on a
 * hand-made `stats` result: exact samples, label escaping (\ " newline),
 * service sums over dests, the drop_ / other split of module counters, a
 * HELP and a TYPE line for every family. tests/packet/test_metrics.py
 * scrapes a running plb.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "metrics.h"

/* Parse a file with @control inside control = { ... }; returns rc, *conf or *err. */
static int
load(const char *control, struct plb_conf **conf, char **err, char **path)
{
	char text[512];
	int fd, rc;

	*path = strdup("/tmp/plb_test_metrics_XXXXXX.conf");
	assert_non_null(*path);
	fd = mkstemps(*path, 5);
	assert_true(fd >= 0);
	snprintf(text, sizeof(text), "log_level = \"info\";\ncontrol = {\n  %s\n};\n", control);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = plb_conf_load(*path, conf, err);
	unlink(*path);
	return rc;
}

static void
expect_ok(const char *control, const char *addr, uint16_t port)
{
	struct plb_conf *conf = NULL;
	char *err = NULL, *path, a[INET_ADDRSTRLEN];

	if (load(control, &conf, &err, &path) != 0)
		fail_msg("%s: %s", control, err);
	inet_ntop(AF_INET, &conf->control.metrics.addr, a, sizeof(a));
	assert_string_equal(a, addr);
	assert_int_equal(conf->control.metrics.port, port);
	plb_conf_free(conf);
	free(path);
}

/* @msg: what follows "FILE:3: control.metrics: " */
static void
expect_err(const char *control, const char *msg)
{
	struct plb_conf *conf = NULL;
	char *err = NULL, *path, want[512];

	assert_int_equal(load(control, &conf, &err, &path), -EINVAL);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s:3: control.metrics: %s", path, msg);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
	free(path);
}

#define WHAT "\"HOST:PORT\" (an IPv4 address and a port 1..65535, e.g. \"127.0.0.1:9100\")"

static void
test_conf(void **state)
{
	expect_ok("socket = \"/tmp/x.sock\";", "0.0.0.0", 0);	/* absent: no listener */
	expect_ok("metrics = \"127.0.0.1:9100\";", "127.0.0.1", 9100);
	expect_ok("metrics = \"0.0.0.0:65535\";", "0.0.0.0", 65535);
	expect_err("metrics = \"localhost:9100\";",
		   "expected " WHAT ", got \"localhost:9100\": HOST is not an IPv4 address a.b.c.d");
	expect_err("metrics = \"127.0.0.1\";", "expected " WHAT ", got \"127.0.0.1\": no \":PORT\"");
	expect_err("metrics = \"127.0.0.1:0\";",
		   "expected " WHAT ", got \"127.0.0.1:0\": PORT is not an integer 1..65535");
	expect_err("metrics = \"127.0.0.1:99999999999999999999\";",
		   "expected " WHAT ", got \"127.0.0.1:99999999999999999999\": PORT is not an integer 1..65535");
	expect_err("metrics = \"127.0.0.1:\";",
		   "expected " WHAT ", got \"127.0.0.1:\": PORT is not an integer 1..65535");
	expect_err("metrics = \"1234567890123456789:1\";",
		   "expected " WHAT ", got \"1234567890123456789:1\": HOST is not an IPv4 address a.b.c.d");
	expect_err("metrics = 9100;", "expected a string " WHAT ", got an integer");
}

static void
test_start_without_listener(void **state)
{
	struct plb_conf conf;
	char *err = NULL;

	memset(&conf, 0, sizeof(conf));
	assert_int_equal(plb_metrics_start(&conf, &err), 0);	/* port 0: nothing to do */
	assert_null(err);
	plb_metrics_tick();	/* no listener: a no-op */
	plb_metrics_stop();
	plb_metrics_stop();	/* idempotent */
}

static const char stats_json[] =
	"{\"ports\": [{\"id\": 0, \"name\": \"p\\\"0\\\\x\\n\", \"rx_packets\": 9, \"tx_packets\": 4,"
	"  \"rx_bytes\": 900, \"tx_bytes\": 400, \"rx_dropped\": 1, \"rx_errors\": 2, \"tx_errors\": 3}],"
	" \"workers\": [{\"id\": 0, \"rx\": 5, \"tx\": 2, \"tx_drop\": 0, \"handover_out\": 1,"
	"  \"handover_in\": 0, \"handover_drop\": 0, \"drop_runt\": 0, \"drop_no_l3\": 1, \"drop_l3\": 2,"
	"  \"idle_sleeps\": 7, \"loops\": 8, \"conns\": 3, \"conns_expired\": 4},"
	"  {\"id\": 1, \"rx\": 4}],"
	" \"services\": [{\"proto\": \"tcp\", \"vip\": \"192.0.2.100\", \"port\": 80, \"scheduler\": \"rr\","
	"  \"fwd\": \"fnat\", \"drop_no_dest\": 0, \"drop_conn_full\": 0, \"drop_no_port\": 0,"
	"  \"drop_not_syn\": 6, \"dests\": ["
	"   {\"addr\": \"198.51.100.11\", \"port\": 8080, \"weight\": 2, \"active_conns\": 1,"
	"    \"inactive_conns\": 0, \"conns\": 10, \"pkts_in\": 20, \"pkts_out\": 30, \"bytes_in\": 40,"
	"    \"bytes_out\": 50},"
	"   {\"addr\": \"198.51.100.12\", \"port\": 8080, \"weight\": 0, \"active_conns\": 0,"
	"    \"inactive_conns\": 1, \"conns\": 1, \"pkts_in\": 2, \"pkts_out\": 3, \"bytes_in\": 4,"
	"    \"bytes_out\": 5}]}],"
	" \"counters\": {\"ipv4.drop_bad_csum\": 11, \"ipv4.rx\": 12, \"vs.drop_\": 13, \"nodot\": 14}}";

static int
count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("missing line: %s\nin:\n%s", line, text);
}

static void
test_render(void **state)
{
	json_error_t jerr;
	json_t *stats = json_loads(stats_json, 0, &jerr);
	size_t len = 0;
	char *t;

	if (stats == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	t = plb_metrics_render(stats, &len);
	json_decref(stats);
	assert_non_null(t);
	assert_int_equal(len, strlen(t));
	assert_true(len > 0 && t[len - 1] == '\n');
	has(t, "plb_port_packets_total{port=\"p\\\"0\\\\x\\n\",direction=\"rx\"} 9");
	has(t, "plb_port_rx_dropped_total{port=\"p\\\"0\\\\x\\n\"} 1");
	has(t, "plb_port_errors_total{port=\"p\\\"0\\\\x\\n\",direction=\"tx\"} 3");
	has(t, "plb_worker_packets_total{worker=\"0\",direction=\"rx\"} 5");
	has(t, "plb_worker_packets_total{worker=\"1\",direction=\"rx\"} 4");
	assert_int_equal(count(t, "{worker=\"1\""), 1);	/* absent keys: no sample */
	has(t, "plb_worker_handover_total{worker=\"0\",direction=\"out\"} 1");
	has(t, "plb_worker_drops_total{worker=\"0\",reason=\"l3\"} 2");
	has(t, "plb_conns{worker=\"0\"} 3");
	has(t, "plb_service_connections_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\"} 11");
	has(t, "plb_service_packets_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\",direction=\"out\"} 33");
	has(t, "plb_service_bytes_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\",direction=\"in\"} 44");
	has(t, "plb_service_drops_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\",reason=\"not_syn\"} 6");
	has(t, "plb_service_info{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\",scheduler=\"rr\",fwd=\"fnat\"} 1");
	has(t, "plb_dest_connections_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\","
	       "dest=\"198.51.100.11:8080\"} 10");
	has(t, "plb_dest_weight{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\",dest=\"198.51.100.12:8080\"} 0");
	has(t, "plb_dest_inactive_connections{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\","
	       "dest=\"198.51.100.12:8080\"} 1");
	has(t, "plb_dest_bytes_total{vip=\"192.0.2.100\",port=\"80\",proto=\"tcp\","
	       "dest=\"198.51.100.11:8080\",direction=\"out\"} 50");
	has(t, "plb_module_drops_total{module=\"ipv4\",reason=\"bad_csum\"} 11");
	has(t, "plb_module_counter_total{module=\"ipv4\",counter=\"rx\"} 12");
	has(t, "plb_module_counter_total{module=\"vs\",counter=\"drop_\"} 13");	/* no reason */
	has(t, "plb_module_counter_total{module=\"\",counter=\"nodot\"} 14");
	/* every family: one HELP and one TYPE, in that order */
	assert_int_equal(count(t, "# HELP "), count(t, "# TYPE "));
	assert_int_equal(count(t, "# TYPE "), 24);	/* docs/control.md lists 24 */
	for (const char *p = t; (p = strstr(p, "# HELP ")) != NULL; p++) {
		char name[96], want[128];

		assert_int_equal(sscanf(p, "# HELP %95s", name), 1);
		snprintf(want, sizeof(want), "# TYPE %s ", name);
		assert_ptr_equal(strstr(p, want), strchr(p, '\n') + 1);
		assert_int_equal(count(t, want), 1);
	}
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_start_without_listener),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
