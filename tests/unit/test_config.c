/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core.config tests: a full file parses into every field, omitted sections
 * take their defaults, and every kind of error gives its exact message
 * "FILE:LINE: PATH: ..." with the right line. Each input is written to a
 * temporary file next to its assertion. Also plb_conf_check_keys and
 * plb_conf_err from the SDK (plb/conf.h).
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

#include <plb/conf.h>
#include "config.h"

/* Write @text to a new temporary file; returns its malloc'ed path. */
static char *
tmp_conf(const char *text)
{
	char *path = strdup("/tmp/plb_test_XXXXXX.conf");
	int fd;

	assert_non_null(path);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Parse @text; it must succeed. */
static struct plb_conf *
load_ok(const char *text)
{
	struct plb_conf *conf = NULL;
	char *err = NULL, *path = tmp_conf(text);
	int rc = plb_conf_load(path, &conf, &err);

	unlink(path);
	if (rc != 0)
		fail_msg("unexpected error %d: %s", rc, err ? err : "(no message)");
	assert_null(err);
	assert_non_null(conf);
	assert_string_equal(conf->file, path);
	free(path);
	return conf;
}

/*
 * Parse @text; it must fail with -EINVAL and the message "<file><msg>",
 * @msg starting at the colon after the file name.
 */
static void
load_err(const char *text, const char *msg)
{
	struct plb_conf *conf = (struct plb_conf *)1;
	char *err = NULL, *path = tmp_conf(text), *want;
	int rc = plb_conf_load(path, &conf, &err);

	unlink(path);
	assert_int_equal(rc, -EINVAL);
	assert_null(conf);
	assert_non_null(err);
	assert_true(asprintf(&want, "%s%s", path, msg) > 0);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(path);
}

static void
test_full_file(void **state)
{
	struct plb_conf *c = load_ok(
		"# every key\n"						/* 1 */
		"eal = [ \"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"--file-prefix=plb-demo\" ];\n"
		"log_level = \"debug\";\n"
		"modules = {\n"
		"  path = \"/opt/plb/modules\";\n"			/* 5 */
		"  load = [ \"proto_ipv4\", \"proto_arp\",\n"
		"           \"sched_rr\" ];\n"
		"  proto_arp = { timeout = 30; };\n"
		"};\n"
		"workers = { count = 2; poll = \"adaptive\"; idle_after = 1000;\n"	/* 10 */
		"  idle_sleep_us = 50; burst = 64; ring_size = 1024; };\n"
		"mempool = { mbufs = 8191; cache = 128; data_room = 4096; };\n"
		"ports = (\n"
		"  { name = \"p0\"; dev = \"net_af_packet0,iface=veth0\"; rx_desc = 512; tx_desc = 256;\n"
		"    addresses = [ \"192.0.2.1/24\", \"198.51.100.7/32\" ]; },\n"	/* 15 */
		"  { name = \"wan-1.x\"; dev = \"0000:03:00.0\"; }\n"
		");\n"
		"control = { socket = \"/tmp/plb.sock\"; mode = \"0660\"; };\n");

	assert_int_equal(c->eal_argc, 5);
	assert_string_equal(c->eal_argv[0], "--no-huge");
	assert_string_equal(c->eal_argv[2], "512");
	assert_string_equal(c->eal_argv[4], "--file-prefix=plb-demo");
	assert_null(c->eal_argv[5]);
	assert_string_equal(c->log_level, "debug");

	assert_string_equal(c->module_path, "/opt/plb/modules");
	assert_int_equal(c->n_modules, 3);
	assert_string_equal(c->modules[0].stem, "proto_ipv4");
	assert_string_equal(c->modules[1].stem, "proto_arp");
	assert_string_equal(c->modules[2].stem, "sched_rr");
	assert_int_equal(c->modules[0].line, 6);
	assert_int_equal(c->modules[2].line, 7);
	assert_null(c->modules[0].settings);
	assert_null(c->modules[2].settings);
	assert_non_null(c->modules[1].settings);
	assert_string_equal(config_setting_name(c->modules[1].settings), "proto_arp");
	int timeout = 0;
	assert_true(config_setting_lookup_int(c->modules[1].settings, "timeout", &timeout));
	assert_int_equal(timeout, 30);

	assert_int_equal(c->workers.count, 2);
	assert_int_equal(c->workers.poll, PLB_POLL_ADAPTIVE);
	assert_int_equal(c->workers.idle_after, 1000);
	assert_int_equal(c->workers.idle_sleep_us, 50);
	assert_int_equal(c->workers.burst, 64);
	assert_int_equal(c->workers.ring_size, 1024);

	assert_int_equal(c->mempool.mbufs, 8191);
	assert_int_equal(c->mempool.cache, 128);
	assert_int_equal(c->mempool.data_room, 4096);

	assert_int_equal(c->n_ports, 2);
	assert_string_equal(c->ports[0].name, "p0");
	assert_string_equal(c->ports[0].dev, "net_af_packet0,iface=veth0");
	assert_int_equal(c->ports[0].rx_desc, 512);
	assert_int_equal(c->ports[0].tx_desc, 256);
	assert_int_equal(c->ports[0].line, 14);
	assert_int_equal(c->ports[0].n_addr4, 2);
	assert_int_equal(c->ports[0].addr4[0].addr, htonl(0xc0000201));
	assert_int_equal(c->ports[0].addr4[0].prefix_len, 24);
	assert_int_equal(c->ports[0].addr4[1].addr, htonl(0xc6336407));
	assert_int_equal(c->ports[0].addr4[1].prefix_len, 32);
	assert_string_equal(c->ports[1].name, "wan-1.x");
	assert_string_equal(c->ports[1].dev, "0000:03:00.0");
	assert_int_equal(c->ports[1].rx_desc, 1024);
	assert_int_equal(c->ports[1].tx_desc, 1024);
	assert_int_equal(c->ports[1].line, 16);
	assert_int_equal(c->ports[1].n_addr4, 0);
	assert_null(c->ports[1].addr4);

	assert_string_equal(c->control.socket, "/tmp/plb.sock");
	assert_int_equal(c->control.mode, 0660);
	plb_conf_free(c);
}

static void
test_defaults(void **state)
{
	struct plb_conf *c = load_ok("# nothing\n");

	assert_int_equal(c->eal_argc, 0);
	assert_non_null(c->eal_argv);
	assert_null(c->eal_argv[0]);
	assert_string_equal(c->log_level, "info");
	assert_string_equal(c->module_path, "build/modules");
	assert_int_equal(c->n_modules, 0);
	assert_null(c->modules);
	assert_int_equal(c->workers.count, 1);
	assert_int_equal(c->workers.poll, PLB_POLL_BUSY);
	assert_int_equal(c->workers.idle_after, 256);
	assert_int_equal(c->workers.idle_sleep_us, 100);
	assert_int_equal(c->workers.burst, 32);
	assert_int_equal(c->workers.ring_size, 4096);
	assert_int_equal(c->mempool.mbufs, 16383);
	assert_int_equal(c->mempool.cache, 256);
	assert_int_equal(c->mempool.data_room, 2176);
	assert_int_equal(c->n_ports, 0);
	assert_null(c->ports);
	assert_string_equal(c->control.socket, "/run/plb/plb.sock");
	assert_int_equal(c->control.mode, 0600);
	plb_conf_free(c);

	/* a group given in part: the other members keep their defaults */
	c = load_ok("workers = { count = 3; };\nmempool = { cache = 0; };\n"
		    "modules = { load = [ \"fwd_fnat\" ]; };\ncontrol = { mode = 600; };\n"
		    "ports = ();\neal = ();\n");
	assert_int_equal(c->workers.count, 3);
	assert_int_equal(c->workers.burst, 32);
	assert_int_equal(c->workers.ring_size, 4096);
	assert_int_equal(c->mempool.cache, 0);
	assert_int_equal(c->mempool.mbufs, 16383);
	assert_string_equal(c->module_path, "build/modules");
	assert_int_equal(c->n_modules, 1);
	assert_string_equal(c->modules[0].stem, "fwd_fnat");
	assert_string_equal(c->control.socket, "/run/plb/plb.sock");
	assert_int_equal(c->control.mode, 0600);	/* decimal digits read as octal */
	assert_int_equal(c->n_ports, 0);
	assert_int_equal(c->eal_argc, 0);
	plb_conf_free(c);
}

static void
test_syntax_error(void **state)
{
	load_err("workers = { count = 1; };\nmempool = ;\n", ":2: syntax error");
	load_err("a = 1;\na = 2;\n", ":2: duplicate setting name");
}

static void
test_cannot_read(void **state)
{
	struct plb_conf *conf = (struct plb_conf *)1;
	char *err = NULL;

	assert_int_equal(plb_conf_load("/nonexistent/plb.conf", &conf, &err), -ENOENT);
	assert_null(conf);
	assert_string_equal(err, "/nonexistent/plb.conf: cannot read: No such file or directory");
	free(err);
	err = NULL;
	assert_int_equal(plb_conf_load("/tmp", &conf, &err), -EISDIR);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	free(err);
}

static void
test_unknown_top_key(void **state)
{
	load_err("log_level = \"info\";\n\nworker = { count = 2; };\n",
		 ":3: worker: unknown key (expected one of: eal, log_level, modules, "
		 "workers, mempool, ports, control, conns, services, routes, lua)");
}

static void
test_unknown_group_keys(void **state)
{
	load_err("workers = {\n  count = 2;\n  bursts = 4;\n};\n",
		 ":3: workers.bursts: unknown key (expected one of: count, poll, idle_after, "
		 "idle_sleep_us, burst, ring_size)");
	load_err("mempool = { mbufs = 2047; size = 3; };\n",
		 ":1: mempool.size: unknown key (expected one of: mbufs, cache, data_room)");
	load_err("control = {\n  sock = \"/x\";\n};\n",
		 ":2: control.sock: unknown key (expected one of: socket, mode, metrics, owner, group)");
	load_err("ports = (\n  { name = \"p0\"; dev = \"d\"; },\n  { name = \"p1\"; dev = \"e\";\n"
		 "    adresses = [ \"192.0.2.1/24\" ]; }\n);\n",
		 ":4: ports[1].adresses: unknown key (expected one of: name, dev, rx_desc, "
		 "tx_desc, addresses)");
	load_err("modules = {\n  load = [ \"proto_ipv4\" ];\n  pth = \"x\";\n};\n",
		 ":3: modules.pth: unknown key (expected one of: path, load, or a settings "
		 "group named after a module in load)");
}

static void
test_wrong_type(void **state)
{
	load_err("workers = {\n  count = \"4\";\n};\n",
		 ":2: workers.count: expected an integer 1..1024, got a string");
	load_err("workers = { burst = 1.5; };\n",
		 ":1: workers.burst: expected an integer 1..512, got a float");
	load_err("workers = 4;\n", ":1: workers: expected a group { ... }, got an integer");
	load_err("ports = { name = \"p0\"; };\n", ":1: ports: expected a list of groups "
		 "( { name = ...; dev = ...; }, ... ), got a group");
	load_err("ports = ( \"p0\" );\n", ":1: ports[0]: expected a group { ... }, got a string");
	load_err("eal = \"--no-huge\";\n", ":1: eal: expected a list of strings "
		 "[ \"...\", ... ] (EAL arguments), got a string");
	load_err("eal = [ \"-m\",\n  512 ];\n", ":2: mismatched element type in array");
	load_err("eal = ( \"-m\",\n  512 );\n", ":2: eal[1]: expected a non-empty string, got an integer");
	load_err("eal = ( \"-m\", \"\" );\n", ":1: eal[1]: expected a non-empty string, got \"\"");
	load_err("ports = ( { name = 7; dev = \"d\"; } );\n", ":1: ports[0].name: expected a "
		 "name of 1..31 characters from A-Z a-z 0-9 _ . -, got an integer");
	load_err("ports = ( { name = \"p0\"; dev = \"d\"; addresses = \"192.0.2.1/24\"; } );\n",
		 ":1: ports[0].addresses: expected a list of strings [ \"...\", ... ] (IPv4 "
		 "addresses such as \"192.0.2.1/24\"), got a string");
	load_err("modules = [ \"proto_ipv4\" ];\n",
		 ":1: modules: expected a group { path = ...; load = [...]; }, got an array");
	load_err("modules = { load = [ \"proto_ipv4\" ];\n  proto_ipv4 = true; };\n",
		 ":2: modules.proto_ipv4: expected a group { ... } (the module's settings), got a boolean");
	load_err("control = { socket = 1; };\n",
		 ":1: control.socket: expected a non-empty string of at most 107 bytes, got an integer");
}

static void
test_out_of_range(void **state)
{
	load_err("\nworkers = { count = 0; };\n",
		 ":2: workers.count: expected an integer 1..1024, got 0");
	load_err("workers = { count = 1025; };\n",
		 ":1: workers.count: expected an integer 1..1024, got 1025");
	load_err("workers = { idle_sleep_us = 1000001; };\n",
		 ":1: workers.idle_sleep_us: expected an integer 1..1000000, got 1000001");
	load_err("workers = { idle_after = 1000000001; };\n",
		 ":1: workers.idle_after: expected an integer 1..1000000000, got 1000000001");
	load_err("workers = { burst = 513; };\n",
		 ":1: workers.burst: expected an integer 1..512, got 513");
	load_err("mempool = { mbufs = 1022; };\n",
		 ":1: mempool.mbufs: expected an integer 1023..16777215, got 1022");
	load_err("mempool = { cache = -1; };\n",
		 ":1: mempool.cache: expected an integer 0..512, got -1");
	load_err("mempool = { data_room = 65536; };\n",
		 ":1: mempool.data_room: expected an integer 1024..65535, got 65536");
	load_err("ports = ( { name = \"p0\"; dev = \"d\";\n  tx_desc = 32; } );\n",
		 ":2: ports[0].tx_desc: expected an integer 64..16384, got 32");
	load_err("mempool = { mbufs = 99999999999L; };\n",
		 ":1: mempool.mbufs: expected an integer 1023..16777215, got 99999999999");
	load_err("control = { socket = \"/" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; };\n",
		 ":1: control.socket: expected a non-empty string of at most 107 bytes, got \"/"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"");
	load_err("ports = ( { name = \"p0\"; dev = \"\"; } );\n",
		 ":1: ports[0].dev: expected a non-empty string of at most 1023 bytes, got \"\"");
}

static void
test_bad_poll(void **state)
{
	load_err("workers = {\n  poll = \"spin\";\n};\n",
		 ":2: workers.poll: expected one of \"busy\", \"adaptive\", got \"spin\"");
	load_err("workers = { poll = 1; };\n",
		 ":1: workers.poll: expected one of \"busy\", \"adaptive\", got an integer");
}

static void
test_ring_size(void **state)
{
	load_err("workers = { ring_size = 1000; };\n",
		 ":1: workers.ring_size: expected a power of two 64..1048576, got 1000");
	load_err("workers = { ring_size = 32; };\n",
		 ":1: workers.ring_size: expected a power of two 64..1048576, got 32");
	load_err("workers = { ring_size = 2097152; };\n",
		 ":1: workers.ring_size: expected a power of two 64..1048576, got 2097152");
}

static void
test_port_names(void **state)
{
	load_err("ports = (\n  { name = \"p0\"; dev = \"a\"; },\n  { dev = \"b\";\n"
		 "    name = \"p0\"; }\n);\n",
		 ":4: ports[1].name: duplicate port name \"p0\" (also ports[0], line 2)");
	load_err("ports = ( { name = \"p 0\"; dev = \"a\"; } );\n", ":1: ports[0].name: "
		 "expected a name of 1..31 characters from A-Z a-z 0-9 _ . -, got \"p 0\"");
	load_err("ports = ( { name = \"abcdefghijklmnopqrstuvwxyz789012\"; dev = \"a\"; } );\n",
		 ":1: ports[0].name: expected a name of 1..31 characters from A-Z a-z 0-9 _ . -, "
		 "got \"abcdefghijklmnopqrstuvwxyz789012\"");
}

static void
test_port_missing(void **state)
{
	load_err("ports = (\n  { name = \"p0\"; dev = \"a\"; },\n  {\n    name = \"p1\";\n  }\n);\n",
		 ":3: ports[1]: missing key 'dev' (the device: a PCI address or a vdev such as "
		 "net_af_packet0,iface=veth0)");
	load_err("ports = ( { dev = \"a\"; } );\n",
		 ":1: ports[0]: missing key 'name' (the port's name, unique, such as \"p0\")");
}

static void
test_bad_address(void **state)
{
	load_err("ports = ( { name = \"p0\"; dev = \"a\";\n  addresses = [ \"300.1.1.1/24\" ]; } );\n",
		 ":2: ports[0].addresses[0]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"300.1.1.1/24\": bad IPv4 address");
	load_err("ports = ( { name = \"p0\"; dev = \"a\";\n  addresses = [ \"192.0.2.1/24\",\n"
		 "    \"1.2.3.4\" ]; } );\n",
		 ":3: ports[0].addresses[1]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"1.2.3.4\": no prefix length");
	load_err("ports = ( { name = \"p0\"; dev = \"a\"; addresses = [ \"1.2.3.4/33\" ]; } );\n",
		 ":1: ports[0].addresses[0]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"1.2.3.4/33\": prefix length must be 1..32");
	load_err("ports = ( { name = \"p0\"; dev = \"a\"; addresses = [ \"1.2.3.4/0\" ]; } );\n",
		 ":1: ports[0].addresses[0]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"1.2.3.4/0\": prefix length must be 1..32");
	load_err("ports = ( { name = \"p0\"; dev = \"a\"; addresses = [ \"1.2.3.4/2x\" ]; } );\n",
		 ":1: ports[0].addresses[0]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"1.2.3.4/2x\": prefix length must be 1..32");
	load_err("ports = ( { name = \"p0\"; dev = \"a\"; addresses = [ \"1.2.3/24\" ]; } );\n",
		 ":1: ports[0].addresses[0]: expected \"a.b.c.d/len\" (e.g. \"192.0.2.1/24\"), "
		 "got \"1.2.3/24\": bad IPv4 address");
}

static void
test_duplicate_address(void **state)
{
	load_err("ports = (\n  { name = \"p0\"; dev = \"a\"; addresses = [ \"192.0.2.1/24\" ]; },\n"
		 "  { name = \"p1\"; dev = \"b\";\n    addresses = [ \"198.51.100.1/24\",\n"
		 "      \"192.0.2.1/32\" ]; }\n);\n",
		 ":5: ports[1].addresses[1]: duplicate address 192.0.2.1 (also on port \"p0\", "
		 "ports[0].addresses[0])");
	load_err("ports = ( { name = \"p0\"; dev = \"a\";\n"
		 "  addresses = [ \"192.0.2.1/24\", \"192.0.2.2/24\", \"192.0.2.1/24\" ]; } );\n",
		 ":2: ports[0].addresses[2]: duplicate address 192.0.2.1 (also on port \"p0\", "
		 "ports[0].addresses[0])");
}

static void
test_module_load(void **state)
{
	static const char want[] = "expected a module name <proto|hook|sched|fwd>_<name> of "
				   "a-z 0-9 _ (such as \"sched_rr\")";
	char msg[256];

	snprintf(msg, sizeof(msg), ":2: modules.load[1]: %s, got \"ipv4\"", want);
	load_err("modules = { load = [ \"proto_arp\",\n  \"ipv4\" ]; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: modules.load[0]: %s, got \"proto_\"", want);
	load_err("modules = { load = [ \"proto_\" ]; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: modules.load[0]: %s, got \"sched_RR\"", want);
	load_err("modules = { load = [ \"sched_RR\" ]; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: modules.load[0]: %s, got \"lb_rr\"", want);
	load_err("modules = { load = [ \"lb_rr\" ]; };\n", msg);
	load_err("modules = {\n  load = [ \"proto_ipv4\", \"proto_arp\",\n    \"proto_ipv4\" ];\n};\n",
		 ":3: modules.load[2]: duplicate module \"proto_ipv4\" (also modules.load[0], line 2)");
	load_err("modules = { load = \"proto_ipv4\"; };\n", ":1: modules.load: expected a list "
		 "of strings [ \"...\", ... ] (module names such as \"proto_ipv4\"), got a string");
	load_err("modules = { path = \"\"; };\n",
		 ":1: modules.path: expected a non-empty string of at most 4095 bytes, got \"\"");
}

static void
test_module_settings_not_loaded(void **state)
{
	load_err("modules = {\n  load = [ \"proto_ipv4\" ];\n  proto_arp = { x = 1; };\n};\n",
		 ":3: modules.proto_arp: no such module in modules.load");
	/* settings before load in the file: still matched */
	struct plb_conf *c = load_ok("modules = {\n  sched_rr = { a = 1; };\n"
				     "  load = [ \"sched_rr\" ];\n};\n");
	assert_int_equal(c->n_modules, 1);
	assert_non_null(c->modules[0].settings);
	assert_int_equal(config_setting_source_line(c->modules[0].settings), 2);
	plb_conf_free(c);
}

static void
test_bad_log_level(void **state)
{
	load_err("log_level = \"verbose\";\n", ":1: log_level: expected one of \"err\", "
		 "\"warning\", \"notice\", \"info\", \"debug\", got \"verbose\"");
	load_err("log_level = 7;\n", ":1: log_level: expected one of \"err\", "
		 "\"warning\", \"notice\", \"info\", \"debug\", got an integer");
}

static void
test_control_mode(void **state)
{
	static const char want[] = "permission bits in octal such as \"0600\" (at most 0777)";
	struct plb_conf *c;
	char msg[200];

	c = load_ok("control = { mode = 0x1a4; };\n");	/* hex: taken as is */
	assert_int_equal(c->control.mode, 0644);
	plb_conf_free(c);
	c = load_ok("control = { mode = \"750\"; };\n");
	assert_int_equal(c->control.mode, 0750);
	plb_conf_free(c);
	snprintf(msg, sizeof(msg), ":2: control.mode: expected %s, got \"0999\"", want);
	load_err("control = {\n  mode = \"0999\";\n};\n", msg);
	snprintf(msg, sizeof(msg), ":1: control.mode: expected %s, got \"1777\"", want);
	load_err("control = { mode = \"1777\"; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: control.mode: expected %s, got \"\"", want);
	load_err("control = { mode = \"\"; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: control.mode: expected %s, got 384", want);
	load_err("control = { mode = 384; };\n", msg);
	snprintf(msg, sizeof(msg), ":1: control.mode: expected %s, got a boolean", want);
	load_err("control = { mode = true; };\n", msg);
}

/* plb_conf_check_keys and plb_conf_err on a file a module might read */
static const char sdk_text[] =
	"modules = {\n"
	"  sched_x = {\n"
	"    weight = 3;\n"
	"    tables = ( { size = 8; }, { size = 16; colour = \"red\"; } );\n"
	"  };\n"
	"};\n";

static config_setting_t *
sdk_load(config_t *cfg, char **path)
{
	*path = tmp_conf(sdk_text);
	config_init(cfg);
	assert_true(config_read_file(cfg, *path));
	return config_lookup(cfg, "modules.sched_x");
}

static void
test_check_keys(void **state)
{
	static const char *const keys[] = { "weight", "tables", NULL };
	static const char *const tkeys[] = { "size", NULL };
	static const char *const none[] = { NULL };
	config_setting_t *s, *t;
	char *path, *err = NULL, *want;
	config_t cfg;

	s = sdk_load(&cfg, &path);
	assert_int_equal(plb_conf_check_keys(s, keys, &err), 0);
	assert_null(err);
	t = config_setting_get_elem(config_setting_get_member(s, "tables"), 0);
	assert_int_equal(plb_conf_check_keys(t, tkeys, &err), 0);
	assert_null(err);

	t = config_setting_get_elem(config_setting_get_member(s, "tables"), 1);
	assert_int_equal(plb_conf_check_keys(t, tkeys, &err), -EINVAL);
	assert_true(asprintf(&want, "%s:4: modules.sched_x.tables[1].colour: unknown key "
			     "(expected one of: size)", path) > 0);
	assert_string_equal(err, want);
	free(want);

	assert_int_equal(plb_conf_check_keys(s, tkeys, &err), -EINVAL);
	assert_true(asprintf(&want, "%s:3: modules.sched_x.weight: unknown key "
			     "(expected one of: size)", path) > 0);
	assert_string_equal(err, want);
	free(want);

	assert_int_equal(plb_conf_check_keys(s, none, &err), -EINVAL);
	assert_true(asprintf(&want, "%s:3: modules.sched_x.weight: unknown key "
			     "(this group takes no keys)", path) > 0);
	assert_string_equal(err, want);
	free(want);

	/* not a group */
	assert_int_equal(plb_conf_check_keys(config_setting_get_member(s, "weight"), keys, &err),
			 -EINVAL);
	assert_true(asprintf(&want, "%s:3: modules.sched_x.weight: expected a group { ... }",
			     path) > 0);
	assert_string_equal(err, want);
	free(want);

	/* the root: no path before the key */
	assert_int_equal(plb_conf_check_keys(config_root_setting(&cfg), keys, &err), -EINVAL);
	assert_true(asprintf(&want, "%s:1: modules: unknown key (expected one of: weight, tables)",
			     path) > 0);
	assert_string_equal(err, want);
	free(want);

	/* NULL err: only the code; an absent group: nothing to check */
	assert_int_equal(plb_conf_check_keys(s, tkeys, NULL), -EINVAL);
	assert_int_equal(plb_conf_check_keys(NULL, keys, &err), 0);
	free(err);
	config_destroy(&cfg);
	unlink(path);
	free(path);
}

static void
test_conf_err(void **state)
{
	config_setting_t *s, *t;
	char *path, *err = NULL, *want;
	config_t cfg;

	s = sdk_load(&cfg, &path);
	t = config_lookup(&cfg, "modules.sched_x.tables.[1].size");
	assert_non_null(t);
	assert_int_equal(plb_conf_err(t, &err, -ERANGE, "size %d too big (max %d)",
				      config_setting_get_int(t), 8), -ERANGE);
	assert_true(asprintf(&want, "%s:4: modules.sched_x.tables[1].size: size 16 too big "
			     "(max 8)", path) > 0);
	assert_string_equal(err, want);
	free(want);

	/* the old message is replaced, not leaked */
	assert_int_equal(plb_conf_err(s, &err, -EINVAL, "bad"), -EINVAL);
	assert_true(asprintf(&want, "%s:2: modules.sched_x: bad", path) > 0);
	assert_string_equal(err, want);
	free(want);

	/* the root has neither line nor path */
	assert_int_equal(plb_conf_err(config_root_setting(&cfg), &err, -EINVAL, "empty"), -EINVAL);
	assert_true(asprintf(&want, "%s: empty", path) > 0);
	assert_string_equal(err, want);
	free(want);
	assert_int_equal(plb_conf_err(s, NULL, -EINVAL, "x"), -EINVAL);
	free(err);
	err = NULL;
	config_destroy(&cfg);
	unlink(path);
	free(path);

	/* read from a string: no file name */
	config_init(&cfg);
	assert_true(config_read_string(&cfg, "a = {\n  b = [ 1, 2 ];\n};\n"));
	t = config_lookup(&cfg, "a.b.[1]");
	assert_non_null(t);
	plb_conf_err(t, &err, -EINVAL, "no");
	assert_string_equal(err, "<string>:2: a.b[1]: no");
	free(err);
	config_destroy(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_cannot_read),
		cmocka_unit_test(test_unknown_top_key),
		cmocka_unit_test(test_unknown_group_keys),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_poll),
		cmocka_unit_test(test_ring_size),
		cmocka_unit_test(test_port_names),
		cmocka_unit_test(test_port_missing),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_duplicate_address),
		cmocka_unit_test(test_module_load),
		cmocka_unit_test(test_module_settings_not_loaded),
		cmocka_unit_test(test_bad_log_level),
		cmocka_unit_test(test_control_mode),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_conf_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
