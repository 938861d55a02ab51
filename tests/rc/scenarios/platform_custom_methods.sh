# Custom methods: start_cmd, stop_cmd, status_cmd and restart_cmd replace
# the defaults, with their precmd and postcmd around them; a failing
# custom method makes the command exit 1, like rc.subr.

write_rc_script pcust <<'RC'
#!/bin/sh
. /etc/rc.subr
name=pcust
rcvar=pcust_enable
start_cmd="pcust_start"
stop_cmd="pcust_stop"
status_cmd="pcust_status"
start_precmd="echo pre >> /tmp/pcust.log"
stop_postcmd="echo post >> /tmp/pcust.log"

pcust_start()
{
	echo "custom start${*:+ $*}" >> /tmp/pcust.log
	touch /tmp/pcust.up
}

pcust_stop()
{
	echo "custom stop" >> /tmp/pcust.log
	rm -f /tmp/pcust.up
}

pcust_status()
{
	if [ -e /tmp/pcust.up ]; then
		echo "pcust is up"
	else
		echo "pcust is down"
		return 3
	fi
}

load_rc_config $name
run_rc_command "$@"
RC
rc_conf_set pcust_enable YES

# status_cmd alone (no procname) makes "status" a command since 13.x.
if rc_subr_mentions status_cmd; then
	expect_exit 1 service pcust status
	expect_stdout_equals "pcust is down"
fi
expect_exit 0 service pcust start x y
if rc_subr_mentions status_cmd; then
	expect_exit 0 service pcust status
	expect_stdout_equals "pcust is up"
fi
expect_exit 0 service pcust stop
if rc_subr_mentions status_cmd; then
	expect_exit 1 service pcust status
fi
expect_exit 0 cat /tmp/pcust.log
expect_stdout_equals "pre x y
custom start x y
custom stop
post"
# restart = stop then start (the default restart method).
touch /tmp/pcust.up
: > /tmp/pcust.log
expect_exit 0 service pcust restart
expect_exit 0 cat /tmp/pcust.log
expect_stdout_equals "custom stop
post
pre
custom start"
