/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plbctl's acl verbs (framework/src/plbctl/cli_acl.c): `acl add|del|set|list`
 * -> the exact acl.* requests, with prefixes from arguments and --file
 * (comments, blank lines), split into requests of PLBCTL_ACL_CHUNK prefixes
 * (set = acl.set of the first chunk, then acl.add); every usage error with
 * its exact message (file:line for a bad file line). Also the views of
 * reload/restore, lua status and the access lists (print_policy.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "plbctl_test.h"
#include "print.h"

static void
check_reqs(const char **argv, const char *expect)
{
	struct plbctl_cmd cmd;

	pt_parse(argv, &cmd);
	pt_assert_json(cmd.reqs, expect);
	plbctl_cmd_clear(&cmd);
}

static void
check_err(const char **argv, const char *msg)
{
	struct plbctl_cmd cmd;
	char *err = NULL;

	assert_int_equal(plbctl_parse(pt_argc(argv), (char **)argv, &cmd, &err), -EINVAL);
	if (err == NULL)
		fail_msg("no message (expected \"%s\")", msg);
	assert_string_equal(err, msg);
	assert_null(cmd.reqs);
	free(err);
}

/* A temporary file holding @text; its path is malloc'ed (unlink and free it). */
static char *
tmp_file(const char *text)
{
	char *path = strdup("/tmp/plbctl_acl_XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_acl_args(void **state)
{
	struct plbctl_cmd cmd;

	check_reqs(ARGV("acl", "add", "deny", "203.0.113.0/24", "198.51.100.7"),
		   "[{'v':1,'cmd':'acl.add','list':'deny',"
		   "'prefixes':['203.0.113.0/24','198.51.100.7']}]");
	check_reqs(ARGV("acl", "del", "allow", "tcp", "192.0.2.100:80", "10.0.0.0/8"),
		   "[{'v':1,'cmd':'acl.del','list':'allow','service':{'proto':'tcp',"
		   "'vip':'192.0.2.100','port':80},'prefixes':['10.0.0.0/8']}]");
	check_reqs(ARGV("acl", "set", "deny", "udp", "192.0.2.100:53", "0.0.0.0/0"),
		   "[{'v':1,'cmd':'acl.set','list':'deny','service':{'proto':'udp',"
		   "'vip':'192.0.2.100','port':53},'prefixes':['0.0.0.0/0']}]");
	/* set with nothing clears the list */
	check_reqs(ARGV("acl", "set", "allow"),
		   "[{'v':1,'cmd':'acl.set','list':'allow','prefixes':[]}]");
	check_reqs(ARGV("acl", "list"), "[{'v':1,'cmd':'acl.list'}]");
	check_reqs(ARGV("acl", "list", "deny", "--brief"),
		   "[{'v':1,'cmd':'acl.list','list':'deny','brief':true}]");
	check_reqs(ARGV("acl", "list", "tcp", "192.0.2.100:80", "allow"),
		   "[{'v':1,'cmd':'acl.list','list':'allow','service':{'proto':'tcp',"
		   "'vip':'192.0.2.100','port':80}}]");

	pt_parse(ARGV("--json", "acl", "add", "deny", "203.0.113.0/24"), &cmd);
	assert_int_equal(cmd.view, PLBCTL_VIEW_ACL);
	assert_int_equal(cmd.json, 1);
	plbctl_cmd_clear(&cmd);
	pt_parse(ARGV("acl", "list"), &cmd);
	assert_int_equal(cmd.view, PLBCTL_VIEW_ACL_LIST);
	plbctl_cmd_clear(&cmd);
}

static void
test_acl_file(void **state)
{
	char *path = tmp_file("# spammers\n"
			      "203.0.113.0/24\n"
			      "\n"
			      "   198.51.100.7   # one host\n"
			      "\t192.0.2.128/25\r\n"
			      "#\n");
	struct plbctl_cmd cmd;

	/* file prefixes after the argument ones, in file order */
	pt_parse(ARGV("acl", "add", "deny", "10.0.0.0/8", "--file", path), &cmd);
	pt_assert_json(cmd.reqs, "[{'v':1,'cmd':'acl.add','list':'deny','prefixes':"
		       "['10.0.0.0/8','203.0.113.0/24','198.51.100.7','192.0.2.128/25']}]");
	plbctl_cmd_clear(&cmd);
	/* several files, --file=F */
	check_reqs(ARGV("acl", "set", "allow", "tcp", "192.0.2.100:80", "--file=/dev/null",
			"--file", path),
		   "[{'v':1,'cmd':'acl.set','list':'allow','service':{'proto':'tcp',"
		   "'vip':'192.0.2.100','port':80},'prefixes':"
		   "['203.0.113.0/24','198.51.100.7','192.0.2.128/25']}]");
	unlink(path);
	free(path);

	/* an empty file: one request with no prefixes (add changes nothing, set clears) */
	check_reqs(ARGV("acl", "add", "deny", "--file", "/dev/null"),
		   "[{'v':1,'cmd':'acl.add','list':'deny','prefixes':[]}]");
	check_reqs(ARGV("acl", "set", "deny", "--file", "/dev/null"),
		   "[{'v':1,'cmd':'acl.set','list':'deny','prefixes':[]}]");
}

/* @n prefixes 10.x.y.0/24 in a file; add/set/del split into chunks of PLBCTL_ACL_CHUNK */
static void
test_acl_chunks(void **state)
{
	const unsigned int n = 2 * PLBCTL_ACL_CHUNK + 1;
	static const char *const acts[] = { "add", "set", "del" };
	char *text = NULL, *path;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "10.%u.%u.0/24\n", i / 256, i % 256);
	fclose(f);
	path = tmp_file(text);
	free(text);
	for (int a = 0; a < 3; a++) {
		struct plbctl_cmd cmd;
		json_t *req;
		size_t r;
		unsigned int seen = 0;

		pt_parse(ARGV("acl", acts[a], "deny", "tcp", "192.0.2.100:80", "--file", path), &cmd);
		assert_int_equal(json_array_size(cmd.reqs), 3);
		json_array_foreach(cmd.reqs, r, req) {
			json_t *p = json_object_get(req, "prefixes");
			const char *want = a == 0 ? "acl.add" : a == 2 ? "acl.del" :
					   r == 0 ? "acl.set" : "acl.add";
			char first[32], *dump;

			assert_string_equal(json_string_value(json_object_get(req, "cmd")), want);
			assert_string_equal(json_string_value(json_object_get(req, "list")), "deny");
			pt_assert_json(json_object_get(req, "service"),
				       "{'proto':'tcp','vip':'192.0.2.100','port':80}");
			assert_int_equal(json_array_size(p), r < 2 ? PLBCTL_ACL_CHUNK : 1);
			snprintf(first, sizeof(first), "10.%u.%u.0/24", seen / 256, seen % 256);
			assert_string_equal(json_string_value(json_array_get(p, 0)), first);
			seen += (unsigned int)json_array_size(p);
			/* what the socket would receive fits its 64 KiB */
			dump = json_dumps(req, JSON_COMPACT);
			assert_true(strlen(dump) < 65536);
			free(dump);
		}
		assert_int_equal(seen, n);
		plbctl_cmd_clear(&cmd);
	}
	unlink(path);
	free(path);
}

static void
test_acl_errors(void **state)
{
	char *path, msg[256];

	check_err(ARGV("acl"), "acl: missing action (add, del, set, list)");
	check_err(ARGV("acl", "flush"),
		  "acl: unknown action \"flush\" (expected add, del, set or list)");
	check_err(ARGV("acl", "add"), "acl add: missing the list (deny or allow)");
	check_err(ARGV("acl", "add", "block", "10.0.0.0/8"),
		  "acl add: expected the list, deny or allow, got \"block\"");
	check_err(ARGV("acl", "add", "deny"),
		  "acl add: no prefixes (give PREFIX arguments or --file FILE)");
	check_err(ARGV("acl", "del", "allow", "tcp", "192.0.2.100:80"),
		  "acl del: no prefixes (give PREFIX arguments or --file FILE)");
	check_err(ARGV("acl", "add", "deny", "10.0.0.1/8"),
		  "acl add: \"10.0.0.1/8\" has host bits set (the prefix is 10.0.0.0/8)");
	check_err(ARGV("acl", "add", "deny", "10.0.0.0/33"),
		  "acl add: \"10.0.0.0/33\": prefix length 33 is out of range 0..32");
	check_err(ARGV("acl", "add", "deny", "192.0.2.300/24"),
		  "acl add: \"192.0.2.300/24\" is not an IPv4 prefix such as \"203.0.113.0/24\"");
	check_err(ARGV("acl", "add", "deny", "10.0.0.0/"),
		  "acl add: \"10.0.0.0/\" is not an IPv4 prefix such as \"203.0.113.0/24\"");
	check_err(ARGV("acl", "set", "deny", "2001:db8::/32"),
		  "acl set: \"2001:db8::/32\": IPv6 is not supported yet");
	/* tcp|udp VIP:PORT comes before the prefixes */
	check_err(ARGV("acl", "add", "deny", "10.0.0.0/8", "tcp", "192.0.2.100:80"),
		  "acl add: \"tcp\" is not an IPv4 prefix such as \"203.0.113.0/24\"");
	check_err(ARGV("acl", "add", "deny", "tcp", "192.0.2.100"),
		  "VIP:PORT \"192.0.2.100\": expected VIP:PORT, an IPv4 address and a port "
		  "1..65535 (e.g. 192.0.2.100:80)");
	check_err(ARGV("acl", "add", "deny", "tcp"), "acl add: missing VIP:PORT");
	check_err(ARGV("acl", "add", "deny", "--brief", "10.0.0.0/8"),
		  "unknown option \"--brief\"");
	check_err(ARGV("acl", "add", "deny", "--file"), "--file: missing value");
	check_err(ARGV("acl", "add", "deny", "--file", "/nonexistent/deny.txt"),
		  "--file /nonexistent/deny.txt: cannot read: No such file or directory");
	check_err(ARGV("acl", "list", "deny", "allow"), "unexpected argument \"allow\"");
	check_err(ARGV("acl", "list", "10.0.0.0/8"), "unexpected argument \"10.0.0.0/8\"");
	check_err(ARGV("acl", "list", "--brief=yes"), "--brief takes no value");
	check_err(ARGV("acl", "list", "tcp", "192.0.2.100:80", "udp", "192.0.2.100:53"),
		  "unexpected argument \"udp\"");

	path = tmp_file("203.0.113.0/24\n# ok\n198.51.100.7 198.51.100.8\n");
	snprintf(msg, sizeof(msg), "%s:3: one prefix per line", path);
	check_err(ARGV("acl", "add", "deny", "--file", path), msg);
	unlink(path);
	free(path);
	path = tmp_file("203.0.113.0/24\n\n192.0.2.1/24   # a typo\n");
	snprintf(msg, sizeof(msg), "%s:3: \"192.0.2.1/24\" has host bits set (the prefix is "
		 "192.0.2.0/24)", path);
	check_err(ARGV("acl", "set", "allow", "--file", path), msg);
	unlink(path);
	free(path);
}

/* ---- views ---- */

static void
check_print(enum plbctl_view view, const char *result, const char *want)
{
	json_t *r = pt_json(result);
	char *buf = NULL, *err = NULL;

	PT_CAPTURE(buf, assert_int_equal(plbctl_print(f, view, r, &err), 0));
	assert_string_equal(buf, want);
	free(buf);
	json_decref(r);
}

static void
test_views(void **state)
{
	check_print(PLBCTL_VIEW_RELOAD,
		    "{'file':'/etc/plb/plb.conf','services':2,'restart_needed':[]}",
		    "reloaded /etc/plb/plb.conf: 2 services\n");
	check_print(PLBCTL_VIEW_RELOAD,
		    "{'file':'/tmp/a.conf','services':1,'restart_needed':['eal','workers']}",
		    "reloaded /tmp/a.conf: 1 service\nnot applied, need a restart: eal, workers\n");
	check_print(PLBCTL_VIEW_LUA,
		    "{'running':true,'scripts':['/etc/plb/a.lua','/etc/plb/b.lua'],'allow':['io'],"
		    "'memory_limit_mb':64,'instructions':1000000,'memory_kb':120,'timers':2,"
		    "'handlers':1,'loaded_at':1700000000,'loads':3,'load_failures':1,'calls':40,"
		    "'call_errors':0,'last_error':'/etc/plb/a.lua:3: boom'}",
		    "running       yes\n"
		    "scripts       /etc/plb/a.lua, /etc/plb/b.lua\n"
		    "allow         io\n"
		    "memory        120 KiB in use, limit 64 MiB\n"
		    "instructions  1000000 per call\n"
		    "timers        2\n"
		    "handlers      1\n"
		    "loaded at     2023-11-14T22:13:20Z\n"
		    "loads         3 (1 failed)\n"
		    "calls         40 (0 failed)\n"
		    "last error    /etc/plb/a.lua:3: boom\n");
	check_print(PLBCTL_VIEW_LUA,
		    "{'running':false,'scripts':[],'allow':[],'memory_limit_mb':64,"
		    "'instructions':1000000,'memory_kb':0,'timers':0,'handlers':0,'loaded_at':0,"
		    "'loads':0,'load_failures':0,'calls':0,'call_errors':0,'last_error':null}",
		    "running       no\n"
		    "scripts       (none)\n"
		    "allow         (none: the sandbox)\n"
		    "memory        0 KiB in use, limit 64 MiB\n"
		    "instructions  1000000 per call\n"
		    "timers        0\n"
		    "handlers      0\n"
		    "loaded at     -\n"
		    "loads         0 (0 failed)\n"
		    "calls         0 (0 failed)\n"
		    "last error    -\n");
	check_print(PLBCTL_VIEW_ACL, "{'list':'deny','service':null,'size':4001}",
		    "global deny list: 4001 prefixes\n");
	check_print(PLBCTL_VIEW_ACL,
		    "{'list':'allow','service':{'proto':'tcp','vip':'192.0.2.100','port':80},'size':1}",
		    "tcp 192.0.2.100:80 allow list: 1 prefix\n");
	check_print(PLBCTL_VIEW_ACL_LIST,
		    "[{'service':null,'deny':{'size':2,'hits':7,'prefixes':['198.51.100.7/32',"
		    "'203.0.113.0/24']},'allow':{'size':0,'hits':0,'prefixes':[]}},"
		    "{'service':{'proto':'udp','vip':'192.0.2.100','port':53},"
		    "'deny':{'size':1,'hits':0}}]",
		    "global deny list: 2 prefixes, 7 hits\n"
		    "  198.51.100.7/32\n"
		    "  203.0.113.0/24\n"
		    "global allow list: 0 prefixes, 0 hits\n"
		    "udp 192.0.2.100:53 deny list: 1 prefix, 0 hits\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_args),
		cmocka_unit_test(test_acl_file),
		cmocka_unit_test(test_acl_chunks),
		cmocka_unit_test(test_acl_errors),
		cmocka_unit_test(test_views),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
