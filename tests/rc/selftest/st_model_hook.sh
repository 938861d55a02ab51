# Model test: the harness hooks the shims where `svcj-check preflight`
# tells an admin to: /etc/local.rc.subr on an rc.subr that reads it,
# /etc/rc.conf on one that does not.

[ -x /usr/local/sbin/svcj-check ] || skip "svcj-check is not built"
cp /svcj-test/fixture/rc.subr /etc/rc.subr
assert_eq "$(rc_hook_place)" /etc/local.rc.subr "hook place (fixture)"
rc_hook_local_subr
grep -q 'svcj-tools.sh' /etc/local.rc.subr || fail "not in /etc/local.rc.subr"
rm -f /etc/local.rc.subr
rc_subr_make_old
assert_eq "$(rc_hook_place)" /etc/rc.conf "hook place (old rc.subr)"
rc_hook_local_subr
grep -q 'svcj-tools.sh' /etc/rc.conf || fail "not in /etc/rc.conf"
[ ! -e /etc/local.rc.subr ] || fail "/etc/local.rc.subr was written"
