#!/bin/sh
#
# demo.sh - `make demo`: a sample rc.d service in a service jail.
#
# sh tests/rc/demo.sh
#
# Builds the tools (cargo build), makes a throwaway root with the rc-level
# test platform (tests/rc/run.sh: private mount and PID namespaces, a
# FreeBSD-like file system, the project's rc.subr), installs the sample
# service "demo" with demo_enable="YES" and demo_svcj="YES", starts it,
# shows what it sees from inside (its own processes, no network), its
# status and `svcj-check status`, stops it and shows that the jail and
# every process are gone.  The steps are the scenario
# tests/rc/scenarios/svcj_demo.sh, which asserts each one.
#
# Exit: 0 when every step behaved, 1 when one did not, 77 when not root,
# 69 when a required tool is missing (cargo; busybox with nc, without
# which the "no network" step would pass for the wrong reason).  Nothing is left on the host.

_dm_here=$(cd "$(dirname "$0")" && pwd) || exit 70
_dm_repo=$(cd "$_dm_here/../.." && pwd) || exit 70

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: the demo needs root (it creates namespaces, mounts and" \
	    "service jails in a throwaway root); run it as root:" \
	    "sudo make demo" >&2
	exit 77
fi
# The demo shows "no network" from inside the jail by a connection that
# fails; with no nc at all it would fail for that reason and prove
# nothing.  So nc must be there first.
if ! command -v busybox >/dev/null 2>&1 ||
    ! busybox --list 2>/dev/null | grep -qx nc; then
	echo "demo.sh: busybox with its nc applet is needed to show that the" \
	    "jail has no network (Debian: apt-get install busybox)" >&2
	exit 69
fi
if ! command -v cargo >/dev/null 2>&1; then
	echo "demo.sh: cargo not found: install Rust (rustup) first" >&2
	exit 69
fi

echo "==> Building svcj-exec, svcj-kill, svcj-check (cargo build)"
(cd "$_dm_repo" && cargo build --quiet --bins) || {
	echo "demo.sh: cargo build failed" >&2
	exit 1
}

echo "==> Making a throwaway root and running the demo in it"
_dm_out=$(mktemp /tmp/svcj-demo.XXXXXX) || exit 73
SVCJ_TEST_NO_BUILD=1 sh "$_dm_here/run.sh" -v -s dash svcj_demo > "$_dm_out" 2>&1
_dm_st=$?
sed -e 's/^    //' -e '/^# ran: /d' -e '/^rc-scenarios /d' "$_dm_out"
if grep -q '^ok svcj_demo' "$_dm_out" && [ "$_dm_st" -eq 0 ]; then
	rm -f "$_dm_out"
	echo
	echo "demo: every step behaved."
	exit 0
fi
rm -f "$_dm_out"
echo
echo "demo: a step did not behave (see above)." >&2
exit 1
