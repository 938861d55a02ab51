# svcj_isolation: what a started service sees from inside its jail: only
# its own jail's processes (all jid 0, none of the host's), and no network
# without an option (only a loopback, which cannot reach the host's
# 127.0.0.1); with net_basic it reaches a listener on the host.

# shellcheck source=tests/rc/scenarios/svcj_common.inc
. /svcj-test/scenarios/svcj_common.inc
require_shims
rc_hook_local_subr
command -v busybox >/dev/null 2>&1 || skip "busybox (nc) is not available"

cat > /usr/local/bin/jiso-daemon <<'SH'
#!/bin/sh
d=/var/run/$1.d
ps -ax -o jid= -o command= > "$d/seen.ps"
cat /proc/net/dev > "$d/seen.net"
if echo "from $1" | busybox nc -w 2 127.0.0.1 "$2" >/dev/null 2>&1; then
	echo connected > "$d/seen.connect"
else
	echo failed > "$d/seen.connect"
fi
exec /bin/sleep 600
SH
chmod 755 /usr/local/bin/jiso-daemon

# Random ports: other runs of the suite may share this network namespace.
r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
p1=$((20000 + r % 20000))
p2=$((p1 + 1))
svcj_script jin <<RC
command_args="-p \$pidfile /usr/local/bin/jiso-daemon jin $p1"
RC
svcj_script jio <<RC
command_args="-p \$pidfile /usr/local/bin/jiso-daemon jio $p2"
RC
rc_conf_set jin_svcj YES
rc_conf_set jio_svcj YES
rc_conf_set jio_svcj_options net_basic

# A listener on the host's loopback for each service.  Its stdin is a
# pipe that stays open (bounded by sleep): a background job's stdin is
# /dev/null, and busybox nc may close the connection at that EOF before
# it has read what the client sent.
sleep 120 | busybox nc -l -p "$p1" > /tmp/got.jin 2>/dev/null &
l1=$!
sleep 120 | busybox nc -l -p "$p2" > /tmp/got.jio 2>/dev/null &
l2=$!
# shellcheck disable=SC2009 # the fake ps; no pgrep
wait_until sh -c "ps -ax -o command= | grep -q '^busybox nc -l -p $p2'" ||
    fail "the listeners did not start"

expect_exit 0 service jin onestart
expect_exit 0 service jio onestart
wait_until test -s /var/run/jin.d/seen.connect || fail "jin saw nothing"
wait_until test -s /var/run/jio.d/seen.connect || fail "jio saw nothing"

# Processes: only the jail's own, all with jid 0.
awk '$1 != 0 { bad = 1 } END { exit bad }' /var/run/jin.d/seen.ps ||
    fail "jin sees processes of other jails: $(cat /var/run/jin.d/seen.ps)"
grep -q harness.sh /var/run/jin.d/seen.ps &&
    fail "jin sees the host's processes: $(cat /var/run/jin.d/seen.ps)"
grep -q 'jiso-daemon jin' /var/run/jin.d/seen.ps ||
    fail "jin does not see itself: $(cat /var/run/jin.d/seen.ps)"
[ "$(wc -l < /var/run/jin.d/seen.ps)" -le 5 ] ||
    fail "jin sees too much: $(cat /var/run/jin.d/seen.ps)"

# Network: no option, only lo and no way out; net_basic, the host's.
ifs_of()
{
	sed -n 's/^ *\([^:]*\):.*/\1/p' "$1" | sort | tr '\n' ' '
}
assert_eq "$(ifs_of /var/run/jin.d/seen.net)" "lo " "interfaces seen by jin"
assert_eq "$(cat /var/run/jin.d/seen.connect)" failed "jin's connect to the host"
assert_eq "$(ifs_of /var/run/jio.d/seen.net)" "$(ifs_of /proc/net/dev)" \
    "interfaces seen by jio (net_basic)"
assert_eq "$(cat /var/run/jio.d/seen.connect)" connected "jio's connect to the host"
wait_until grep -q 'from jio' /tmp/got.jio || fail "the host got nothing from jio"

kill "$l1" "$l2" 2>/dev/null
expect_exit 0 service jin onestop
expect_exit 0 service jio onestop
svcj_wait_nojail svcj-jin
svcj_wait_nojail svcj-jio
