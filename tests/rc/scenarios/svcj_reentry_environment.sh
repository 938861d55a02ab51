# svcj_reentry_environment: a method re-entered in the jail (here a custom
# start_cmd, with ${name}_flags set) starts its daemon with the
# environment service(8) gives a method -- "env -i -L -/daemon HOME=/
# PATH=..." where env(1) has -L (FreeBSD 13.0 and later), so the daemon
# class's login.conf environment applies -- and nothing of the shims:
# no _svcjt_* variable, no _rc_svcj, no flags=.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
svcj_script jen <<'EOF2'
start_cmd=jen_start
jen_start()
{
	echo "Starting jen."
	/usr/sbin/daemon -p "$pidfile" /bin/sleep 600
}
EOF2
rc_conf_set jen_svcj YES
rc_conf_set jen_flags "-x"
envl=
if /usr/bin/env -i -L -/daemon /bin/sh -c : >/dev/null 2>&1; then
	envl=YES
	if [ -f /etc/login.conf ] && [ -w /etc/login.conf ]; then
		# A daemon class with a marker in its environment, first in
		# the file (the first record of a name wins).
		{
			cat <<'EOF2'
daemon:\
	:setenv=SVCJ_TEST_CLASS=daemon:\
	:tc=default:
EOF2
			cat /etc/login.conf
		} > /tmp/login.conf
		cat /tmp/login.conf > /etc/login.conf
	else
		envl=
	fi
fi

expect_exit 0 service jen onestart
assert_jail svcj-jen
pid=$(svcj_hostpid jen) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jen)" "jid of the daemon"
tr '\0' '\n' < "/proc/$pid/environ" > /tmp/jen.env ||
    fail "cannot read the daemon's environment"
show cat /tmp/jen.env
if grep -E '^(_svcjt_|_rc_svcj=|flags=)' /tmp/jen.env; then
	fail "the shims' variables leak into the daemon's environment"
fi
grep -q '^HOME=/$' /tmp/jen.env || fail "HOME is not /"
grep -q '^PATH=/sbin:/bin:/usr/sbin:/usr/bin$' /tmp/jen.env ||
    fail "PATH is not service(8)'s"
if [ -n "$envl" ]; then
	grep -q '^SVCJ_TEST_CLASS=daemon$' /tmp/jen.env ||
	    fail "the daemon login class environment (env -L -/daemon) is missing"
else
	note "env(1) has no -L here: the login class part is not checked"
fi
expect_exit 0 service jen onestop
svcj_wait_nojail svcj-jen
