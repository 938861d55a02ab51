# rc_start (benchmark, not a test): time "service NAME start" of a
# default-method rc.d service, unjailed and jailed (NAME_svcj=YES), with
# hyperfine inside the test root; each run is preceded (untimed) by a stop.
# Writes hyperfine's JSON (commands "unjailed" and "jailed") to
# /svcj-test-out/rc-start.json.  Run by tests/rc/bench-start.sh.
#
# Environment: SVCJ_BENCH_RUNS (runs per command, default 30).

require_shims
command -v hyperfine >/dev/null 2>&1 || skip "hyperfine is not installed (apt-get install hyperfine)"
if [ ! -d /svcj-test-out ] || [ ! -w /svcj-test-out ]; then
	skip "no results directory (run.sh -o DIR)"
fi
runs=${SVCJ_BENCH_RUNS:-30}
# The Linux registry (/run/svcj) on a tmpfs, as /run is on a Linux host
# (the root's /run is a directory on the host's disk, which adds the
# disk's metadata latency to every jailed start).  The mount ends with the
# root's mount namespace.
mount -t tmpfs -o size=4m,mode=0755 svcj-bench-run /run ||
    fail "cannot mount a tmpfs on /run"
rc_hook_local_subr

for n in benchu benchj; do
	write_rc_script "$n" <<RC
#!/bin/sh
. /etc/rc.subr
name=$n
rcvar=${n}_enable
pidfile=/var/run/$n.pid
procname=/bin/sleep
command=/usr/sbin/daemon
command_args="-p \$pidfile \$procname 3600"
load_rc_config \$name
run_rc_command "\$1"
RC
	rc_conf_set "${n}_enable" YES
done
rc_conf_set benchj_svcj YES

# One round by hand first: both must work.
expect_exit 0 service benchu start
expect_exit 0 service benchu stop
expect_exit 0 service benchj start
assert_jail svcj-benchj
expect_exit 0 service benchj stop
assert_no_jail svcj-benchj

echo "describe: a default-method rc.d service (daemon -p pidfile /bin/sleep) started with service(8) in the rc test root (tests/rc, $SVCJ_TEST_SHELL as /bin/sh, $(grep -q _rcf_loaded /etc/rc.subr && echo 'the fixture rc.subr' || echo '/etc/rc.subr given by SVCJ_TEST_RC_SUBR')), hook in /etc/local.rc.subr, /run on a tmpfs; jailed = benchj_svcj=YES (no options); each timed start is preceded by an untimed stop; $runs runs each."
expect_exit 0 hyperfine -N --warmup 2 --runs "$runs" \
    --export-json /svcj-test-out/rc-start.json \
    --prepare "/bin/sh -c '/usr/sbin/service benchu stop >/dev/null 2>&1; exit 0'" \
    -n unjailed "/usr/sbin/service benchu start" \
    --prepare "/bin/sh -c '/usr/sbin/service benchj stop >/dev/null 2>&1; exit 0'" \
    -n jailed "/usr/sbin/service benchj start"
stdout_of_last
expect_exit 0 service benchj stop
assert_no_jail svcj-benchj
