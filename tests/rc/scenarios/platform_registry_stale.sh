# Stale registry entries are not jails: an entry whose reaper is gone, or
# whose pid namespace or start time do not match its reaper, is ignored
# by jls, jexec and ps (the fakes only read the registry).

mkdir -p /run/svcj
sleep 600 &
live=$!
ns=$(readlink "/proc/$live/ns/pid")
ns=${ns#pid:[}
ns=${ns%]}

# Reaper gone.
printf '%s\n' name=svcj-ghost jid=999999 reaper=999999 pidns="$ns" \
    starttime=1 ip4=disable ip6=disable > /run/svcj/svcj-ghost.jail
# Live reaper, but not the recorded namespace.
printf '%s\n' name=svcj-wrongns jid="$live" reaper="$live" pidns=1 \
    ip4=disable ip6=disable > /run/svcj/svcj-wrongns.jail
# Live reaper and namespace, but another start time (pid reuse).
printf '%s\n' name=svcj-reused jid="$live" reaper="$live" pidns="$ns" \
    starttime=1 ip4=disable ip6=disable > /run/svcj/svcj-reused.jail

for j in svcj-ghost svcj-wrongns svcj-reused; do
	expect_exit 1 jls -j "$j" jid
	expect_stderr_match "^jls: jail \"$j\" not found\$"
	expect_exit 1 jexec "$j" true
	assert_no_jail "$j"
done
expect_exit 0 jls name
expect_stdout_equals ""
# Our own processes stay in jail 0 (the entries claim our namespace).
assert_eq "$(jid_of_pid "$live")" 0 "jid of a process of the caller's namespace"

# Control: the same entry with the right start time is a (live) jail, and
# the caller is still not inside it (its PID 1 is not that reaper).
st=$(awk '{ print $22 }' "/proc/$live/stat")
printf '%s\n' name=svcj-control jid="$live" reaper="$live" pidns="$ns" \
    starttime="$st" ip4=disable ip6=disable > /run/svcj/svcj-control.jail
expect_exit 0 jls -j svcj-control name path
expect_stdout_equals "svcj-control /"
expect_exit 0 jls name
expect_stdout_equals svcj-control
kill "$live"
