# svcj_hook_file_missing: the documented hook line is
# "command . /usr/local/etc/rc.subr.d/svcj-tools.sh".  If that file is
# missing (package removed, /usr/local not mounted yet at boot) rc.subr
# must still load: an error is printed and services start as without
# the hook.  A plain ". file" would make sh(1) exit instead: check that
# too, so the reason for "command" stays pinned.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
# /etc/local.rc.subr, or /etc/rc.conf on an rc.subr that never reads it.
place=$(rc_hook_place) || fail "cannot tell where the hook belongs"
rc_hook
grep -q '^command \. /usr/local/etc/rc.subr.d/svcj-tools.sh$' \
    "$place" || fail "rc_hook wrote another line to $place"
if ! rm -f /usr/local/etc/rc.subr.d/svcj-tools.sh 2>/dev/null ||
    [ -e /usr/local/etc/rc.subr.d/svcj-tools.sh ]; then
	mount -t tmpfs -o size=16k tmpfs /usr/local/etc/rc.subr.d \
	    2>/dev/null || skip "cannot hide the hook file here"
fi
svcj_script jhf </dev/null

expect_exit 0 service jhf onestart
expect_stderr_match 'svcj-tools\.sh'
pid=$(svcj_hostpid jhf) || fail "jhf did not start"
assert_eq "$(jid_of_pid "$pid")" 0 "jid of jhf"
expect_exit 0 service jhf onestop
wait_gone "$pid"

# The plain form ends the shell that sources it.
sed 's@^command \. /usr/local/etc/rc.subr.d/svcj-tools.sh$@. /usr/local/etc/rc.subr.d/svcj-tools.sh@' \
    "$place" > /tmp/hook-plain || fail "cannot rewrite $place"
cat /tmp/hook-plain > "$place"
grep -q '^\. /usr/local/etc/rc.subr.d/svcj-tools.sh$' "$place" ||
    fail "the plain line is not in $place"
rm -f /var/run/jhf.d/jhf.pid
expect_exit_nonzero service jhf onestart
assert_no_file /var/run/jhf.d/jhf.pid
