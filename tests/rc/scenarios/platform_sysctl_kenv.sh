# sysctl(8) and kenv(1) of the test root, and the value the Rust tools
# are pointed to.

expect_exit 0 sysctl -n security.jail.jailed
expect_stdout_equals 0
expect_exit 0 sysctl -n security.jail.children.max
expect_stdout_equals 999999
expect_exit 0 sysctl security.jail.children.cur
expect_stdout_equals "security.jail.children.cur: 0"

sysctl_set security.jail.jailed 1
sysctl_set security.jail.children.max 0
expect_exit 0 sysctl -n security.jail.jailed security.jail.children.max
expect_stdout_equals "1
0"
assert_eq "$SVCJ_SYSCTL_FILE" /etc/svcj-test-sysctl.conf SVCJ_SYSCTL_FILE
grep -q '^security.jail.children.max=0$' "$SVCJ_SYSCTL_FILE" ||
    fail "SVCJ_SYSCTL_FILE does not hold the value sysctl shows"

expect_exit 1 sysctl -n no.such.oid
expect_stderr_match "^sysctl: unknown oid 'no\.such\.oid'"
expect_exit 1 sysctl -nq no.such.oid
expect_stderr_empty
expect_exit 0 sysctl -ni no.such.oid
expect_exit 1 sysctl kern.ostype=Linux
expect_exit 1 sysctl -Z security.jail.jailed

expect_exit 1 kenv rc.debug
expect_stderr_match '^kenv: unable to get rc\.debug$'
expect_exit 1 kenv -q rc.debug
expect_stderr_empty
echo 'rc.debug=1' > /etc/svcj-test-kenv.conf
expect_exit 0 kenv -q rc.debug
expect_stdout_equals 1
