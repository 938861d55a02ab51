# svcj_start_environment: the default start of a jailed service runs
# rc.subr's own command line inside the jail: ${name}_env, ${name}_chdir,
# ${name}_user and ${name}_flags reach the daemon as they would unjailed,
# and its output goes to /var/log/svcj_NAME_console.log.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
cat > /usr/local/bin/jenv-daemon <<'SH'
#!/bin/sh
echo "jenv-daemon: FOO=$FOO cwd=$(pwd) user=$(id -un) args=$*"
exec /bin/sleep 600
SH
chmod 755 /usr/local/bin/jenv-daemon
svcj_script jen <<'RC'
command_args="-p $pidfile /usr/local/bin/jenv-daemon"
RC
rc_conf_set jen_svcj YES
rc_conf_set jen_env "FOO=bar"
rc_conf_set jen_chdir /tmp
rc_conf_set jen_user svcjtest
rc_conf_set jen_flags "-c"	# daemon(8): do not chdir to /

expect_exit 0 service jen onestart
assert_jail svcj-jen
wait_until grep -q jenv-daemon /var/log/svcj_jen_console.log ||
    fail "nothing in the console log"
expect_exit 0 cat /var/log/svcj_jen_console.log
# daemon(8) -c (the flags) keeps the directory ${name}_chdir set.
expect_stdout_match '^jenv-daemon: FOO=bar cwd=/tmp user=svcjtest args=$'
pid=$(svcj_hostpid jen) || fail "no daemon"
assert_eq "$(jid_of_pid "$pid")" "$(jid_of_jail svcj-jen)" "jid of the daemon"
expect_exit 0 service jen onestop
svcj_wait_nojail svcj-jen
