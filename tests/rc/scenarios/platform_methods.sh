# Configuration files and default methods: rc.conf.d files (directory
# form and /usr/local), flags, env, chdir, precmd/postcmd,
# required_files, extra_commands with reload and sig_reload, a custom
# extra command, and command_interpreter for a daemon written in sh.

mkdir -p /var/db/pm
write_rc_script pmeth <<'RC'
#!/bin/sh
. /etc/rc.subr
name=pmeth
rcvar=pmeth_enable
pidfile=/var/run/pmeth.pid
command=/usr/local/bin/pmethd
command_interpreter=/bin/sh
extra_commands="reload hello"
sig_reload=USR1
start_precmd=pmeth_prestart
start_postcmd="echo post-start >> /var/db/pm/log"
hello_cmd=pmeth_hello
required_files=/etc/pmeth.conf

pmeth_prestart()
{
	echo "pre-start $pmeth_color" >> /var/db/pm/log
	[ "$pmeth_color" != red ]
}

pmeth_hello()
{
	echo "hello from $name $*"
}

load_rc_config $name
: "${pmeth_color:=blue}"
run_rc_command "$@"
RC

cat > /usr/local/bin/pmethd <<'D'
#!/bin/sh
# Detaches itself (same command line), records flags, env and cwd,
# logs USR1, exits on TERM.
if [ -z "$PMETH_CHILD" ]; then
	PMETH_CHILD=1 /bin/sh /usr/local/bin/pmethd "$@" </dev/null >/dev/null 2>&1 &
	echo $! > /var/run/pmeth.pid
	exit 0
fi
echo "args=$* env=$PMETH_ENV cwd=$(pwd)" >> /var/db/pm/log
trap 'echo reloaded >> /var/db/pm/log' USR1
trap 'exit 0' TERM
while :; do
	sleep 1 &
	wait $!
done
D
chmod 755 /usr/local/bin/pmethd
rc_conf_set pmeth_enable YES
rc_conf_set pmeth_flags "-a 1"
rc_conf_set pmeth_chdir /var/db/pm
rc_conf_set pmeth_color red
mkdir -p /usr/local/etc/rc.conf.d
echo 'pmeth_env="PMETH_ENV=from-local-rcconfd"' > /usr/local/etc/rc.conf.d/pmeth

expect_exit 1 service pmeth start
expect_stderr_match '/etc/pmeth\.conf is not readable'
echo conf > /etc/pmeth.conf

expect_exit 1 service pmeth start
expect_stderr_match 'failed precmd routine for pmeth'
grep -q '^pre-start red$' /var/db/pm/log || fail "precmd did not run"
assert_no_file /var/run/pmeth.pid

# rc.conf.d/NAME/ files are read after rc.conf and win.
mkdir -p /etc/rc.conf.d/pmeth
echo 'pmeth_color=green' > /etc/rc.conf.d/pmeth/10-color
echo 'pmeth_flags="-b 2"' > /etc/rc.conf.d/pmeth/20-flags

expect_exit 0 service pmeth start
grep -q '^pre-start green$' /var/db/pm/log ||
    fail "precmd did not see rc.conf.d/pmeth/ settings"
grep -q '^post-start$' /var/db/pm/log || fail "postcmd did not run"
pid=$(pid_from_file /var/run/pmeth.pid) || fail "no pidfile"
wait_until grep -q '^args=-b 2 env=from-local-rcconfd cwd=/var/db/pm$' /var/db/pm/log ||
    fail "daemon did not record flags/env/chdir: $(cat /var/db/pm/log)"

expect_exit 0 service pmeth status
expect_stdout_match "^pmeth is running as pid $pid\.\$"

expect_exit 0 service pmeth reload
wait_until grep -q '^reloaded$' /var/db/pm/log || fail "reload did not send USR1"
assert_alive "$pid"

expect_exit 0 service pmeth hello a b
expect_stdout_equals "hello from pmeth a b"

expect_exit 0 service pmeth extracommands
expect_stdout_equals "reload hello"

expect_exit 0 service pmeth stop
assert_gone "$pid"
