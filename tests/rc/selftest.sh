#!/bin/sh
#
# selftest.sh - check that the rc-level harness reports what happened.
#
# selftest.sh [-s dash|ash]
#
# Runs the scenarios of tests/rc/selftest (one passing, two failing, one
# skipping, one hanging, one leaving a daemon and a service jail behind)
# and checks run.sh's lines, its exit status, and that no process the
# scenarios started survives.  Then the model tests (selftest/st_model_*):
# each checks a fake, the fixture rc.subr or the root against what
# FreeBSD's sources and manual pages document, and must pass.  Exit 0 if
# the harness and the model behaved, 1 if not; skips (exit 0) when not
# root.

_sf_here=$(cd "$(dirname "$0")" && pwd) || exit 70
_sf_shell=dash
if [ "${1:-}" = -s ]; then
	_sf_shell=${2:-dash}
fi
if [ "$(id -u)" != 0 ]; then
	echo "selftest: skipped: needs root"
	exit 0
fi

_sf_models=
for _sf_f in "$_sf_here"/selftest/st_model_*.sh; do
	[ -f "$_sf_f" ] || continue
	_sf_n=${_sf_f##*/}
	_sf_models="$_sf_models ${_sf_n%.sh}"
done
# shellcheck disable=SC2086 # scenario names
_sf_out=$(SVCJ_TEST_NO_BUILD=1 sh "$_sf_here/run.sh" -s "$_sf_shell" -t 3 \
    -d selftest st_pass st_fail_exit st_fail_match st_skip st_hang st_leak 2>&1)
_sf_st=$?
_sf_bad=0

#
# _sf_expect line
#	Fail unless run.sh printed exactly line.
#
_sf_expect()
{
	if ! printf '%s\n' "$_sf_out" | grep -qxF -- "$1"; then
		echo "selftest: missing line: $1"
		_sf_bad=1
	fi
}

_sf_expect "ok st_pass"
_sf_expect "FAIL st_fail_exit: 'false' exited 1, expected 0"
_sf_expect "FAIL st_fail_match: stdout of 'echo hi' does not match /bye/"
_sf_expect "skip st_skip: because"
_sf_expect "FAIL st_hang: timed out after 3 s (killed)"
_sf_expect "ok st_leak"
_sf_expect "rc-scenarios ($_sf_shell): 2 passed, 3 failed, 1 skipped"
if [ "$_sf_st" -ne 1 ]; then
	echo "selftest: run.sh exited $_sf_st, expected 1"
	_sf_bad=1
fi
for _sf_p in /proc/[0-9]*; do
	case "$({ tr '\0' ' ' < "$_sf_p/cmdline"; } 2>/dev/null)" in
	"/bin/sleep 424"[3456]" ")
		echo "selftest: survivor: ${_sf_p#/proc/}"
		_sf_bad=1
		;;
	esac
done
if [ "$_sf_bad" -ne 0 ]; then
	printf '%s\n' "$_sf_out" | sed 's/^/    /'
	echo "selftest ($_sf_shell): FAILED"
	exit 1
fi
echo "selftest ($_sf_shell): the harness reports passes, failures, skips and time-outs, and leaves nothing running"

# make demo refuses to run without nc (its "no network" step would pass
# for the wrong reason).
_sf_nonc=$(mktemp -d /tmp/svcj-selftest.XXXXXX) || exit 70
for _sf_t in id dirname; do
	ln -s "$(command -v "$_sf_t")" "$_sf_nonc/$_sf_t"
done
_sf_out=$(PATH=$_sf_nonc "$(command -v dash)" "$_sf_here/demo.sh" 2>&1)
_sf_st=$?
rm -rf "$_sf_nonc"
case "$_sf_st:$_sf_out" in
69:*"nc applet is needed"*)
	echo "selftest ($_sf_shell): make demo fails loudly without nc"
	;;
*)
	printf '%s\n' "$_sf_out" | sed 's/^/    /'
	echo "selftest ($_sf_shell): make demo without nc exited $_sf_st, expected 69 and a message"
	exit 1
	;;
esac

# The model tests.
# shellcheck disable=SC2086 # scenario names
_sf_out=$(SVCJ_TEST_NO_BUILD=1 sh "$_sf_here/run.sh" -s "$_sf_shell" \
    -d selftest $_sf_models 2>&1)
_sf_st=$?
if [ "$_sf_st" -ne 0 ] || printf '%s\n' "$_sf_out" | grep -q '^skip '; then
	printf '%s\n' "$_sf_out" | sed 's/^/    /'
	echo "selftest ($_sf_shell): the model of FreeBSD FAILED"
	exit 1
fi
echo "selftest ($_sf_shell): the fakes, the fixture rc.subr and the root follow FreeBSD's documented behaviour ($(printf '%s\n' "$_sf_out" | grep -c '^ok ') model tests)"
exit 0
