# svcj_startmsgs_old: on an rc.subr without startmsg() (12.x) whose
# default start is re-entered in the jail (no limits(1) prefix), the
# shims' own "Starting NAME." follows rc_startmsgs=NO under quietstart,
# as 12.x's "check_startmsgs && echo" does.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
using_fixture_rc_subr || skip "needs the fixture rc.subr to remove startmsg() from"
# shellcheck disable=SC2016 # rc.subr text
sed -e 's/limits -C \$_rcf_class \$_rcf_limits //' \
    -e '/^startmsg()/,/^}/d' \
    -e 's/startmsg "/check_startmsgs \&\& echo "/' \
    /etc/rc.subr > /tmp/rc.subr.new
grep -q 'startmsg()' /tmp/rc.subr.new && fail "startmsg() is still there"
grep -q 'limits -C' /tmp/rc.subr.new && fail "limits -C is still there"
cat /tmp/rc.subr.new > /etc/rc.subr
rc_hook_local_subr
svcj_script jsm </dev/null
rc_conf_set jsm_enable YES
rc_conf_set jsm_svcj YES
rc_conf_set rc_startmsgs NO

expect_exit 0 service jsm quietstart
expect_stdout_nomatch 'Starting'
assert_jail svcj-jsm
expect_exit 0 service jsm stop
svcj_wait_nojail svcj-jsm

rc_conf_set rc_startmsgs YES
expect_exit 0 service jsm quietstart
expect_stdout_match '^Starting jsm\.$'
expect_exit 0 service jsm stop
svcj_wait_nojail svcj-jsm
