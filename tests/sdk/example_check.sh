#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make example-check`: proves the SDK works out of tree. Installs plb into a
# temporary prefix, builds a COPY of examples/sched_example there with
# pkg-config only, checks it exports only plb_module_descriptor, loads it with
# the installed `plb -t`, checks that the installed plb refuses a mis-named
# copy and a missing module, and runs build/tests/modules/test_example_sched
# on it (its schedule() through the loader and registry).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD:-build}
tmp=$(mktemp -d /tmp/plb-example.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "example-check: FAIL: $*" >&2
	exit 1
}

prefix=$tmp/prefix
echo "example-check: make install PREFIX=$prefix"
make -s -C "$root" install PREFIX="$prefix" DESTDIR= >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log" >&2; fail "make install PREFIX=$prefix failed"; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ -f "$PKG_CONFIG_PATH/plb.pc" ] || fail "no $PKG_CONFIG_PATH/plb.pc after make install"
got=$(pkg-config --variable=prefix plb)
[ "$got" = "$prefix" ] ||
	fail "installed plb.pc says prefix=$got, expected $prefix (plb.pc not regenerated for this PREFIX?)"
moduledir=$(pkg-config --variable=moduledir plb)
modulemap=$(pkg-config --variable=modulemap plb)
[ -f "$modulemap" ] || fail "modulemap $modulemap (from plb.pc) is not installed"
for h in module.h sched.h; do
	[ -f "$prefix/include/plb/$h" ] || fail "$prefix/include/plb/$h not installed"
done

# build from a copy: no relative path into the source tree can work from here
src=$tmp/sched_example
cp -r "$root/examples/sched_example" "$src"
rm -f "$src/sched_example.so"
echo "example-check: building $src against $prefix"
make -C "$src" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "example build failed"; }
if grep -F -- "$root" "$tmp/build.log" >/dev/null; then
	cat "$tmp/build.log" >&2
	fail "the example build names the source tree $root"
fi
so=$src/sched_example.so
[ -f "$so" ] || fail "no $so after make"

syms=$(nm -D --defined-only "$so" | awk '{ print $3 }')
[ "$syms" = "plb_module_descriptor" ] ||
	fail "sched_example.so exports [$(echo $syms)], expected only plb_module_descriptor"

make -s -C "$src" install >/dev/null || fail "example make install failed"
[ -f "$moduledir/sched_example.so" ] || fail "make install did not put sched_example.so in $moduledir"
make -s -C "$src" install MODULEDIR="$tmp/alt" >/dev/null || fail "make install MODULEDIR= failed"
[ -f "$tmp/alt/sched_example.so" ] || fail "make install MODULEDIR=$tmp/alt ignored MODULEDIR"

# write_conf FILE MODULE_PATH STEM
write_conf() {
	cat >"$1" <<EOF
eal = [ "--no-huge", "-m", "512", "--no-pci", "--file-prefix=plb-example-$$" ];
modules = {
	path = "$2";
	load = [ "$3" ];
};
EOF
}

plb=$prefix/bin/plb
conf=$tmp/example.conf
write_conf "$conf" "$moduledir" sched_example
echo "example-check: $plb -t -c $conf"
rc=0
out=$("$plb" -t -c "$conf" 2>&1) || rc=$?
[ "$rc" = 0 ] || { echo "$out" >&2; fail "plb -t exited $rc on $conf"; }
grep -qxF "plb: $conf: configuration ok" <<<"$out" || { echo "$out" >&2; fail "no 'configuration ok' line"; }

# the installed plb must refuse what it should: a missing module, a renamed one
bad=$tmp/missing.conf
write_conf "$bad" "$moduledir" sched_nosuch
rc=0
out=$("$plb" -t -c "$bad" 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "plb -t accepted a missing module"
grep -qF "$moduledir/sched_nosuch.so: cannot load: " <<<"$out" || { echo "$out" >&2; fail "no message naming the missing file"; }

mkdir -p "$tmp/renamed"
cp "$so" "$tmp/renamed/sched_other.so"
bad=$tmp/renamed.conf
write_conf "$bad" "$tmp/renamed" sched_other
rc=0
out=$("$plb" -t -c "$bad" 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "plb -t accepted sched_example.so renamed to sched_other.so"
grep -qF "$tmp/renamed/sched_other.so: descriptor says sched_example (kind sched, name \"example\"), file name says sched_other" <<<"$out" ||
	{ echo "$out" >&2; fail "no name-mismatch message for the renamed module"; }

# the scheduler schedules: run the cmocka test on the installed .so
make -s -C "$root" "$build/tests/modules/test_example_sched" >/dev/null ||
	fail "cannot build $build/tests/modules/test_example_sched"
echo "example-check: $build/tests/modules/test_example_sched"
(cd "$root" && PLB_BUILD=$build PLB_EXAMPLE_SO=$moduledir/sched_example.so \
	"$build/tests/modules/test_example_sched") || fail "test_example_sched failed"

echo "example-check: ok"
