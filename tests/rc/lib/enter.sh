#!/bin/sh
#
# enter.sh - PID 1 of one scenario's namespaces (run by run.sh).
#
# enter.sh run-dir scenario-dir rc-dir shell timeout dir/scenario out-dir
#          [name=value ...]
#
# Runs on the host's file system view, as PID 1 of a fresh PID namespace
# inside a private mount namespace and a network namespace of its own
# (unshare --mount --propagation private --pid --net --fork).  It mounts the scenario's root, runs the scenario chrooted
# with a time limit, then kills what is left: the reaper of every jail in
# the root's registry (SIGKILL), then every other process of the
# namespace.  When this script exits the kernel tears the namespaces down
# (all processes gone, every mount released with the mount namespace), so
# nothing outlives the scenario and nothing was ever mounted on the host.
#
# Writes the scenario's exit status to scenario-dir/status ("timeout" if
# it was killed).

set -u
_en_run=$1
_en_t=$2
_en_rc=$3
_en_shell=$4
_en_timeout=$5
_en_name=$6
_en_out=$7
shift 7
_en_root=$_en_t/root

#
# _en_die message
#	Report a setup failure and exit.
#
_en_die()
{
	echo "enter.sh: $*" >&2
	echo 70 > "$_en_t/status"
	echo "test root setup failed: $*" > "$_en_root/var/db/svcj-test/reason"
	exit 70
}

#
# _en_bind_ro source target
#	Bind source on target, read-only.
#
_en_bind_ro()
{
	mount --bind "$1" "$2" && mount -o remount,bind,ro "$2"
}

# The scenario's own network: a loopback, up (what "the host's network"
# is for a jail with net_basic; nothing reaches or collides with the real
# host's).
if command -v ip >/dev/null 2>&1; then
	ip link set lo up
else
	busybox ip link set lo up
fi || _en_die "cannot bring the loopback up"

# The root is a mount point of its own, so that "/" in the chroot is one
# (svcj-exec changes the propagation of "/", which needs a mount).
mount --bind "$_en_root" "$_en_root" || _en_die "cannot bind the root on itself"

# /usr: the host's, read-only.  FreeBSD's split of the command
# directories: /bin and /sbin are directories of their own (FreeBSD's
# /bin and /sbin commands, the shell under test as /bin/sh, the fakes of
# FreeBSD's /bin and /sbin tools), and /usr/bin, /usr/sbin are overlays
# whose top layer holds the fakes of FreeBSD's /usr tools and hides the
# host's commands that FreeBSD keeps elsewhere.  No link from /bin into
# /usr: /bin/jls fails here as on FreeBSD.
_en_bind_ro /usr "$_en_root/usr" || _en_die "cannot bind /usr"
_en_bind_ro "$_en_run/fbsd/bin" "$_en_root/bin" || _en_die "cannot bind /bin"
_en_bind_ro "$_en_run/fbsd/sbin" "$_en_root/sbin" || _en_die "cannot bind /sbin"
mount -t overlay overlay \
    -o "lowerdir=$_en_run/fbsd/usr.bin:/usr/bin" \
    "$_en_root/usr/bin" || _en_die "cannot mount the /usr/bin overlay"
mount -t overlay overlay \
    -o "lowerdir=$_en_run/fbsd/usr.sbin:/usr/sbin" \
    "$_en_root/usr/sbin" || _en_die "cannot mount the /usr/sbin overlay"
_en_bind_ro "$_en_run/hostbin" "$_en_root/svcj-test-bin" ||
    _en_die "cannot bind /svcj-test-bin"
# /usr/local: writable per scenario, binaries and shims read-only.
mount --bind "$_en_t/local" "$_en_root/usr/local" ||
    _en_die "cannot bind /usr/local"
_en_bind_ro "$_en_run/bin" "$_en_root/usr/local/sbin" ||
    _en_die "cannot bind /usr/local/sbin"
_en_bind_ro "$_en_run/shims" "$_en_root/usr/local/share/svcj-tools" ||
    _en_die "cannot bind /usr/local/share/svcj-tools"
# The test library and scenarios.
_en_bind_ro "$_en_rc" "$_en_root/svcj-test" || _en_die "cannot bind /svcj-test"
# /run on a tmpfs, as on a Linux host (the registry, /run/svcj, lives there).
mount -t tmpfs -o mode=755,size=16m tmpfs "$_en_root/run" ||
    _en_die "cannot mount /run"
# The results directory asked for with run.sh -o (writable).
if [ "$_en_out" != - ]; then
	mount --bind "$_en_out" "$_en_root/svcj-test-out" ||
	    _en_die "cannot bind $_en_out"
fi
# /proc of this PID namespace, a minimal /dev.
mount -t proc proc "$_en_root/proc" || _en_die "cannot mount /proc"
mount -t tmpfs -o mode=755,size=1m tmpfs "$_en_root/dev" ||
    _en_die "cannot mount /dev"
for _en_d in null zero full random urandom tty; do
	[ -e "/dev/$_en_d" ] || continue
	: > "$_en_root/dev/$_en_d"
	mount --bind "/dev/$_en_d" "$_en_root/dev/$_en_d" ||
	    _en_die "cannot bind /dev/$_en_d"
done
mkdir -p "$_en_root/dev/shm" "$_en_root/dev/pts"
mount -t tmpfs -o mode=1777,size=16m tmpfs "$_en_root/dev/shm" ||
    _en_die "cannot mount /dev/shm"
# The host's cgroup tree (read-write), for scenarios that ask for it with
# a line "# rc-test: cgroup" (resource limits on Linux need a cgroup of
# the caller's; the others keep a root without one, where limits fail
# closed).
if [ -d /sys/fs/cgroup ] &&
    grep -qx '# rc-test: cgroup' "$_en_rc/$_en_name.sh" 2>/dev/null; then
	mkdir -p "$_en_root/sys/fs/cgroup" ||
	    _en_die "cannot create $_en_root/sys/fs/cgroup"
	mount --rbind /sys/fs/cgroup "$_en_root/sys/fs/cgroup" ||
	    _en_die "cannot bind /sys/fs/cgroup"
fi
ln -s /proc/self/fd "$_en_root/dev/fd"
ln -s /proc/self/fd/0 "$_en_root/dev/stdin"
ln -s /proc/self/fd/1 "$_en_root/dev/stdout"
ln -s /proc/self/fd/2 "$_en_root/dev/stderr"

# The scenario's own PID namespace ("the host" of the test root), for
# the fakes that must tell whether they run inside a service jail.
_en_ns=$(readlink /proc/self/ns/pid) || _en_die "cannot read my PID namespace"
_en_ns=${_en_ns#pid:[}
echo "${_en_ns%]}" > "$_en_root/etc/svcj-test-hostpidns"

cd "$_en_root" || _en_die "cannot enter $_en_root"
timeout -k 5 "$_en_timeout" chroot "$_en_root" /svcj-test-bin/env -i \
    HOME=/root \
    PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin \
    SHELL=/bin/sh \
    TERM=dumb \
    LC_ALL=C \
    SVCJ_SYSCTL_FILE=/etc/svcj-test-sysctl.conf \
    SVCJ_TEST_SHELL="$_en_shell" \
    SVCJ_TEST_SCENARIO="${_en_name##*/}" \
    "$@" \
    /bin/sh /svcj-test/lib/harness.sh "/svcj-test/$_en_name.sh" \
    < /dev/null
_en_st=$?
case "$_en_st" in
124|137)
	echo timeout > "$_en_t/status"
	# What was still running when the time ran out (pid, parent,
	# command line), for the report.
	echo "# processes at the time limit:"
	for _en_p in "$_en_root"/proc/[0-9]*; do
		_en_n=${_en_p##*/}
		[ "$_en_n" != 1 ] || continue
		_en_pp=$(sed -n 's/^PPid:[[:space:]]*//p' "$_en_p/status" 2>/dev/null)
		_en_c=$( { tr '\0' ' ' < "$_en_p/cmdline"; } 2>/dev/null)
		[ -n "$_en_c" ] && echo "#   $_en_n $_en_pp $_en_c"
	done
	;;
*)	echo "$_en_st" > "$_en_t/status" ;;
esac

# Kill every jail of the root's registry, then everything else, then
# unmount.
for _en_f in "$_en_root"/run/svcj/*.jail; do
	[ -f "$_en_f" ] || continue
	_en_reaper=$(sed -n 's/^reaper=//p' "$_en_f" 2>/dev/null)
	case "$_en_reaper" in
	''|*[!0-9]*)	;;
	*)		kill -s KILL "$_en_reaper" 2>/dev/null ;;
	esac
done
kill -s KILL -- -1 2>/dev/null
# The namespace's end releases every mount; unmount now anyway (lazily:
# killed processes may still hold them for a moment).
cd / && umount -R -l "$_en_root" 2>/dev/null
exit 0
