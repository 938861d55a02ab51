# svcj_hook_missing_fails_closed: when the shim library cannot be loaded
# (here: hidden by an empty mount, as if /usr/local/share were not
# mounted), a service with ${name}_svcj=YES is refused with a message and
# not started unjailed; a service without a jail still starts.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
mount -t tmpfs -o size=16k tmpfs /usr/local/share/svcj-tools 2>/dev/null ||
    skip "cannot hide the shim library with a mount here"
svcj_script jhm </dev/null
svcj_script jhn </dev/null
rc_conf_set jhm_svcj YES

expect_exit_nonzero service jhm onestart
expect_stderr_match 'jhm: service jail requested, but the svcj-tools shims cannot be loaded'
assert_no_jail svcj-jhm
assert_no_file /var/run/jhm.d/jhm.pid
# Commands that never run the service still answer.
expect_exit 0 service jhm rcvar
expect_stdout_match '^jhm_enable='
# ... with any prefix rc.subr accepts (fast, force, one, quiet).
for pfx in fast force one quiet; do
	expect_exit 0 service jhm "${pfx}rcvar"
	expect_stdout_match '^jhm_enable='
done

expect_exit 0 service jhn onestart
pid=$(svcj_hostpid jhn) || fail "jhn did not start"
assert_eq "$(jid_of_pid "$pid")" 0 "jid of jhn"
expect_exit 0 service jhn onestop
umount /usr/local/share/svcj-tools
