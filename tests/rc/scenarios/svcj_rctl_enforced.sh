# rc-test: cgroup
# svcj_rctl_enforced: limits set in rc.conf for an rc.d service hold on
# Linux (its cgroup, below the caller's): with maxproc:deny=20 the jailed
# service cannot have more than 20 processes, while the host (this
# scenario's shell) forks freely; status shows the limit beside its use;
# the stop removes the jail and its cgroup.  Needs the host's cgroup tree
# (the line above makes run.sh bind it into the root).

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
[ -d /sys/fs/cgroup ] || skip "the test host has no cgroup file system"
svcj-check preflight > /tmp/preflight.out 2>&1
grep -q "^OK *limits:" /tmp/preflight.out ||
    skip "this host cannot enforce resource limits: $(cat /tmp/preflight.out)"
rc_hook_local_subr
svcj_script jre </dev/null
rc_conf_set jre_enable YES
rc_conf_set jre_svcj YES
rc_conf_set jre_svcj_rctl "maxproc:deny=20"

expect_exit 0 service jre start
assert_jail svcj-jre

# Forking inside the jail stops at the limit: 40 tries, and the jail
# never holds more than 20 processes (the reaper, daemon(8) and the
# shell count too).  The shell may die of a refused fork; that is fine.
# shellcheck disable=SC2016 # expanded by the jailed shell
run jexec svcj-jre /bin/sh -c '
	n=0
	while [ $n -lt 40 ]; do
		/bin/sleep 3 2>/dev/null &
		n=$((n + 1))
	done'
_sr_jid=$(jid_of_jail svcj-jre) || fail "svcj-jre has no jid"
# shellcheck disable=SC2009 # ps is FreeBSD's here (the fake)
_sr_n=$(ps -ax -o jid= | grep -cx " *$_sr_jid")
[ "$_sr_n" -le 20 ] || fail "$_sr_n processes in a jail limited to 20"
[ "$_sr_n" -ge 10 ] || fail "only $_sr_n processes in the jail: did anything run?"

# The host is not limited.
_sr_i=0
_sr_pids=
while [ $_sr_i -lt 40 ]; do
	/bin/sleep 30 &
	_sr_pids="$_sr_pids $!"
	_sr_i=$((_sr_i + 1))
done
# shellcheck disable=SC2086 # a list of pids
kill $_sr_pids 2>/dev/null
# shellcheck disable=SC2086
kill -0 $_sr_pids 2>/dev/null && : # (gone or going)

# status shows the limit and what the jail uses.
expect_exit 0 svcj-check status svcj-jre
expect_stdout_match 'maxproc:deny'

# The jail's own sleeps end (a stop runs the stop method inside the jail,
# which needs a process slot there, as on FreeBSD).
_sr_wait()
{
	# shellcheck disable=SC2009 # ps is FreeBSD's here (the fake)
	[ "$(ps -ax -o jid= -o command= | grep -c "^ *$_sr_jid /bin/sleep 3")" -eq 0 ]
}
wait_until _sr_wait || fail "the jail's sleeps did not end"
expect_exit 0 service jre stop
svcj_wait_nojail svcj-jre
# No cgroup of the jail is left anywhere below the tree (the jail's last
# process removes it as it goes).
_sr_cgroups()
{
	find /sys/fs/cgroup -maxdepth 6 -type d -name '*svcj-jre*' 2>/dev/null
}
_sr_nocgroup()
{
	[ -z "$(_sr_cgroups)" ]
}
wait_until _sr_nocgroup || fail "cgroups left: $(_sr_cgroups)"
