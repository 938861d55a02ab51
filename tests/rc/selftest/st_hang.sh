# Self-test of the harness: a scenario that does not end in time is
# killed and fails; what it started (a daemon, a service jail) is killed
# with it.
daemon /bin/sleep 4243
if have_svcj_exec; then
	svcj-exec sthang -- /usr/sbin/daemon /bin/sleep 4244
fi
sleep 600
