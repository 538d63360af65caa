# SPDX-License-Identifier: BSD-3-Clause
# plb build. `make` builds build/plb, build/plbctl and build/modules/*.so;
# `make check` installs missing Debian packages, builds, then runs every test;
# `make demo` does the same set-up and runs the demo. See README.md.

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= gcc

# pkg-config module -> Debian package that provides it
PKG_libdpdk       := libdpdk-dev
PKG_libconfig     := libconfig-dev
PKG_jansson       := libjansson-dev
PKG_cmocka        := libcmocka-dev
PKG_luajit        := libluajit2-5.1-dev
PKG_libmicrohttpd := libmicrohttpd-dev
PKGCONF_MODS      := libdpdk libconfig jansson libmicrohttpd luajit

# Debian packages `make deps` installs (build, tests, demo)
DEB_PACKAGES := build-essential pkg-config libdpdk-dev dpdk libconfig-dev libjansson-dev \
	libcmocka-dev libluajit2-5.1-dev libmicrohttpd-dev libpcap-dev iproute2 ethtool \
	iputils-ping iputils-arping tcpdump curl python3-scapy valgrind binutils \
	nginx wrk iperf3 socat haproxy nftables

ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
missing := $(strip $(foreach m,$(PKGCONF_MODS) cmocka,$(if $(shell pkg-config --exists $(m) && echo y),,$(m))))
ifneq ($(missing),)
$(error missing pkg-config module(s): $(missing); install Debian package(s): $(foreach m,$(missing),$(PKG_$(m))) (or run `make deps` as root))
endif
endif

DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell pkg-config --libs libdpdk 2>/dev/null)
CONF_CFLAGS := $(shell pkg-config --cflags libconfig 2>/dev/null)
CONF_LIBS   := $(shell pkg-config --libs libconfig 2>/dev/null)
JSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JSON_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null)
HTTP_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
HTTP_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
LUA_CFLAGS  := $(shell pkg-config --cflags luajit 2>/dev/null)
LUA_LIBS    := $(shell pkg-config --libs luajit 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

ABI      := $(shell sed -n 's/^\#define PLB_MODULE_ABI \([0-9]*\).*/\1/p' framework/include/plb/module.h)
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Iframework/include
CFLAGS_CORE := $(BASE_CFLAGS) $(DPDK_CFLAGS) $(CONF_CFLAGS) $(JSON_CFLAGS) $(HTTP_CFLAGS) $(LUA_CFLAGS) -Iframework/src
CFLAGS_MOD  := $(BASE_CFLAGS) $(DPDK_CFLAGS) $(CONF_CFLAGS) -fPIC -fvisibility=hidden
MOD_LDFLAGS := -shared -Wl,--version-script=framework/module.map
DYNLIST     := framework/plb.dynlist

CORE_SRCS := $(filter-out framework/src/main.c,$(wildcard framework/src/*.c))
# plbctl: its own small program; everything but main.c is unit-tested
PLBCTL_SRCS := $(wildcard framework/src/plbctl/*.c)
PLBCTL_LIB  := $(filter-out %/main.c,$(PLBCTL_SRCS))
CORE_OBJS := $(patsubst framework/src/%.c,$(BUILD)/obj/core/%.o,$(CORE_SRCS))
CORE_LIB  := $(BUILD)/libplbcore.a
CORE_LINK := -Wl,--whole-archive $(CORE_LIB) -Wl,--no-whole-archive -Wl,--dynamic-list=$(DYNLIST) \
	$(DPDK_LIBS) $(CONF_LIBS) $(JSON_LIBS) $(HTTP_LIBS) $(LUA_LIBS) -ldl -lpthread -lm

# modules/<dir>/<name>.c -> build/modules/<prefix>_<name>.so
MOD_PREFIX_proto := proto
MOD_PREFIX_hooks := hook
MOD_PREFIX_sched := sched
MOD_PREFIX_fwd   := fwd
MOD_SRCS := $(wildcard modules/*/*.c)
modname   = $(MOD_PREFIX_$(word 2,$(subst /, ,$(1))))_$(basename $(notdir $(1)))
# a module in several files: modules/<dir>/<name>/*.c (+ private *.h) -> <prefix>_<name>.so
MOD_DIRS := $(patsubst %/,%,$(dir $(wildcard modules/*/*/*.c)))
MOD_DIRS := $(sort $(MOD_DIRS))
dirmodname = $(MOD_PREFIX_$(word 2,$(subst /, ,$(1))))_$(notdir $(1))
MODULES  := $(foreach s,$(MOD_SRCS),$(BUILD)/modules/$(call modname,$(s)).so) \
	    $(foreach d,$(MOD_DIRS),$(BUILD)/modules/$(call dirmodname,$(d)).so)

# tests: tests/unit/test_*.c and tests/modules/test_*.c are cmocka programs;
# tests/modules/broken/*.c are deliberately broken plugins
UNIT_SRCS   := $(wildcard tests/unit/test_*.c) $(wildcard tests/modules/test_*.c)
UNIT_BINS   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BROKEN_SRCS := $(wildcard tests/modules/broken/*.c)
BROKEN_MODS := $(patsubst tests/modules/broken/%.c,$(BUILD)/tests/broken/%.so,$(BROKEN_SRCS))
HEADERS     := $(wildcard framework/include/plb/*.h)

.PHONY: all deps demo check check-headers unit packet e2e install clean example-check
all: $(BUILD)/plb $(BUILD)/plbctl $(MODULES) $(BUILD)/plb.pc

deps:
	@miss=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || miss="$$miss $$p"; \
	done; \
	if [ -n "$$miss" ]; then \
		echo "deps: installing$$miss"; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root to install:$$miss" >&2; exit 1; fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$miss; \
	else echo "deps: all Debian packages present"; fi

$(BUILD)/obj/core/%.o: framework/src/%.c $(HEADERS) $(wildcard framework/src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/plb: $(BUILD)/obj/core/main.o $(CORE_LIB) $(DYNLIST)
	$(CC) -o $@ $< $(CORE_LINK)

$(BUILD)/plbctl: $(PLBCTL_SRCS) $(wildcard framework/src/plbctl/*.h) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(JSON_CFLAGS) -Iframework/src/plbctl -o $@ $(PLBCTL_SRCS) $(JSON_LIBS)

# plbctl's tests link its parts, not the core
$(BUILD)/tests/unit/test_plbctl_%: tests/unit/test_plbctl_%.c $(PLBCTL_LIB) $(wildcard framework/src/plbctl/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(JSON_CFLAGS) -Iframework/src/plbctl -o $@ $< $(PLBCTL_LIB) $(JSON_LIBS) $(CMOCKA_LIBS)

define MODULE_RULE
$(BUILD)/modules/$(call modname,$(1)).so: $(1) $(HEADERS) framework/module.map
	@mkdir -p $(BUILD)/modules
	$(CC) $(CFLAGS_MOD) $(MOD_LDFLAGS) -o $$@ $$< $(DPDK_LIBS)
endef
$(foreach s,$(MOD_SRCS),$(eval $(call MODULE_RULE,$(s))))

define DIR_MODULE_RULE
$(BUILD)/modules/$(call dirmodname,$(1)).so: $(wildcard $(1)/*.c) $(wildcard $(1)/*.h) $(HEADERS) framework/module.map
	@mkdir -p $(BUILD)/modules
	$(CC) $(CFLAGS_MOD) -I$(1) $(MOD_LDFLAGS) -o $$@ $(wildcard $(1)/*.c) $(DPDK_LIBS)
endef
$(foreach d,$(MOD_DIRS),$(eval $(call DIR_MODULE_RULE,$(d))))

$(BUILD)/tests/broken/%.so: tests/modules/broken/%.c $(HEADERS) framework/module.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_MOD) -shared -Wl,--version-script=framework/module.map -o $@ $<

$(BUILD)/tests/%: tests/%.c $(CORE_LIB) $(HEADERS) $(wildcard tests/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) -o $@ $< $(CORE_LINK) $(CMOCKA_LIBS)

# white-box tests that #include a module's source
$(BUILD)/tests/unit/test_arp_table: $(wildcard modules/proto/arp/*.c modules/proto/arp/*.h)

$(BUILD)/plb.pc: framework/plb.pc.in Makefile
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@ABI@|$(ABI)|g' $< > $@

# every SDK header compiles alone; sched.h, svc.h and pkt.h without DPDK
check-headers:
	@for h in $(HEADERS); do \
		n=$$(basename $$h); \
		case $$n in mbuf.h|ip4.h) f="$(DPDK_CFLAGS) $(CONF_CFLAGS)";; *) f="$(CONF_CFLAGS)";; esac; \
		printf '#include <plb/%s>\n#include <plb/%s>\n' $$n $$n | \
			$(CC) $(BASE_CFLAGS) $$f -fsyntax-only -x c - || { echo "check-headers: $$n does not compile alone"; exit 1; }; \
	done; echo "check-headers: $(words $(HEADERS)) headers compile alone"

unit: all $(UNIT_BINS) $(BROKEN_MODS)
	@fail=0; for t in $(filter-out %/test_example_sched,$(UNIT_BINS)); do \
		echo "== $$t"; PLB_BUILD=$(BUILD) $$t || fail=1; \
	done; \
	for t in $(sort $(wildcard tests/unit/test_*.sh tests/modules/test_*.sh)); do \
		echo "== $$t"; PLB_BUILD=$(BUILD) bash $$t || fail=1; \
	done; exit $$fail

# packets in, packets out through the real pipeline (EAL --no-huge, pcap vdevs)
packet: all
	@fail=0; for t in $(sort $(wildcard tests/packet/test_*.py)); do \
		echo "== $$t"; PLB_BUILD=$(BUILD) /usr/bin/python3 $$t || fail=1; \
	done; exit $$fail

e2e: all
	@fail=0; for t in $(sort $(wildcard tests/e2e/test_*.sh)); do \
		echo "== $$t"; PLB_BUILD=$(BUILD) bash $$t || fail=1; \
	done; exit $$fail

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/plb/modules \
		$(DESTDIR)$(PREFIX)/include/plb $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/etc/plb
	install -m 755 $(BUILD)/plb $(BUILD)/plbctl $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MODULES) $(DESTDIR)$(PREFIX)/lib/plb/modules/
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/plb/
	install -m 644 framework/module.map $(DESTDIR)$(PREFIX)/lib/plb/module.map
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@ABI@|$(ABI)|g' framework/plb.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/plb.pc
	install -m 644 conf/plb.conf $(DESTDIR)$(PREFIX)/etc/plb/plb.conf

# install into a temporary prefix, build the out-of-tree example from there only,
# load it with the installed plb and run test_example_sched on it
example-check: all $(BUILD)/tests/modules/test_example_sched
	@BUILD=$(BUILD) bash tests/sdk/example_check.sh

check: deps
	$(MAKE) all
	$(MAKE) check-headers
	$(MAKE) unit
	$(MAKE) example-check
	$(MAKE) packet
	$(MAKE) e2e
	@echo "check: all tests passed"

demo: deps
	$(MAKE) all
	bash scripts/demo.sh

clean:
	rm -rf $(BUILD)

# ---- bench (issue 7; bench/, docs/performance.md). Never part of `make check`. ----
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_MAIN := $(filter-out bench/proto_benchfwd.c,$(BENCH_SRCS))
BENCH_DUR    ?= 0.5
BENCH_REPEAT ?= 3
BENCH_ARGS   ?=
.PHONY: bench bench-callgrind bench-peers
$(BUILD)/plb-bench: $(BENCH_MAIN) bench/bench.h $(CORE_LIB) $(DYNLIST)
	$(CC) $(CFLAGS_CORE) -Ibench -o $@ $(BENCH_MAIN) $(CORE_LINK) -lrte_net_ring

$(BUILD)/bench/proto_benchfwd.so: bench/proto_benchfwd.c $(HEADERS) framework/module.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_MOD) $(MOD_LDFLAGS) -o $@ $< $(DPDK_LIBS)

bench: all $(BUILD)/plb-bench $(BUILD)/bench/proto_benchfwd.so
	@rm -f $(BUILD)/bench.json
	$(BUILD)/plb-bench --build $(BUILD) --duration $(BENCH_DUR) --repeat $(BENCH_REPEAT) $(BENCH_ARGS)

bench-callgrind: all $(BUILD)/plb-bench $(BUILD)/bench/proto_benchfwd.so
	@BUILD=$(BUILD) bash bench/callgrind.sh

# plb vs nftables DNAT vs HAProxy on real traffic (root; appends to docs/performance.md)
bench-peers: all
	PLB_BUILD=$(BUILD) bash bench/peers.sh
