# soak_rc_cycles (not a test; run by bench/soak.sh with
# "run.sh -d bench -e SVCJ_SOAK_CYCLES=N soak_rc_cycles"): N (default 20)
# start/stop cycles of a jailed rc.d service.
#
# Every cycle: "service skr onestart" (the daemon runs in svcj-skr),
# "service skr onestop" (the jail is gone).  At the end nothing may be
# left: no jail, no registry entry, no process of the service, no PID
# namespace and no mount that was not there before, and the pidfile names
# no live process.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script skr </dev/null
rc_conf_set skr_svcj YES
_skr_n=${SVCJ_SOAK_CYCLES:-20}
case "$_skr_n" in
''|*[!0-9]*)	fail "SVCJ_SOAK_CYCLES=$_skr_n is not a number" ;;
esac

#
# _skr_pidns
#	Print the distinct PID namespaces that hold a process, sorted.
#
_skr_pidns()
{
	# shellcheck disable=SC2012 # the link targets are what we read
	ls -l /proc/[0-9]*/ns/pid 2>/dev/null | sed -n 's/.*-> //p' | sort -u
}

_skr_mounts0=$(cat /proc/self/mountinfo)
_skr_ns0=$(_skr_pidns)
_skr_procs0=$(ps -A -o pid= | wc -l)
_skr_i=0
while [ "$_skr_i" -lt "$_skr_n" ]; do
	expect_exit 0 service skr onestart
	assert_jail svcj-skr
	_skr_pid=$(svcj_hostpid skr) || fail "cycle $_skr_i: no daemon after start"
	expect_exit 0 service skr onestop
	svcj_wait_nojail svcj-skr
	wait_gone "$_skr_pid"
	_skr_i=$((_skr_i + 1))
done
note "$_skr_i cycles done"

for _skr_f in /run/svcj/*.jail; do
	[ -e "$_skr_f" ] && fail "registry entry left: $_skr_f"
done
_skr_p=$(pid_from_file /var/run/skr.d/skr.pid 2>/dev/null) &&
    is_alive "$_skr_p" && fail "the pidfile names a live process ($_skr_p)"
[ "$(_skr_pidns)" = "$_skr_ns0" ] ||
    fail "PID namespaces before: $(echo "$_skr_ns0" | tr '\n' ' '); after: $(_skr_pidns | tr '\n' ' ')"
[ "$(cat /proc/self/mountinfo)" = "$_skr_mounts0" ] || fail "the mount table changed"
_skr_procs1=$(ps -A -o pid= | wc -l)
[ "$_skr_procs1" -le "$_skr_procs0" ] ||
    fail "processes before: $_skr_procs0, after: $_skr_procs1: $(ps -A -o pid= -o command= | tr '\n' ';')"
