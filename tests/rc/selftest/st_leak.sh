# Self-test of the harness: a passing scenario that leaves a daemon and a
# service jail running; nothing of it survives the scenario.
expect_exit 0 daemon /bin/sleep 4245
if have_svcj_exec; then
	expect_exit 0 svcj-exec stleak -- /usr/sbin/daemon /bin/sleep 4246
	assert_jail svcj-stleak
fi
