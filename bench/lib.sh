# lib.sh - helpers shared by bench/run.sh, bench/soak.sh and bench/spawn.sh.
#
# Sourced, not run.  Everything here reads the Linux registry described in
# docs/HACKING.md ($SVCJ_RUNDIR/<jail>.jail, key=value lines) and /proc;
# nothing here changes the system.  Names start with _sb_.

# _sb_reg_get jail key
#	Print the value of key in the registry entry of jail (empty when
#	there is no entry or no such key).
_sb_reg_get()
{
	local _f

	_f="${SVCJ_RUNDIR:-/run/svcj}/$1.jail"
	[ -f "$_f" ] || return 1
	sed -n "s/^$2=//p" "$_f" | head -n 1
}

# _sb_members pidns
#	Print how many processes live in the pid namespace whose inode is
#	pidns (0 when pidns is empty).
_sb_members()
{
	[ -n "$1" ] || { echo 0; return 0; }
	# One ls for all processes: a loop of readlink would take seconds
	# with a thousand members.
	# shellcheck disable=SC2012,SC2010 # we parse the link targets
	ls -l /proc/[0-9]*/ns/pid 2>/dev/null | grep -c "pid:\[$1\]"
}

# _sb_pidns_list
#	Print the distinct pid namespaces that hold a process, one a line,
#	sorted.
_sb_pidns_list()
{
	# shellcheck disable=SC2012 # we parse the link targets, not names
	ls -l /proc/[0-9]*/ns/pid 2>/dev/null | sed -n 's/.*-> //p' | sort -u
}

# _sb_wait_for test_command tenths
#	Run test_command (a word list: the command and its arguments) every
#	0.1 s until it succeeds, at most tenths times.  Return its last
#	status.  (The loop variables have names no caller uses: a test
#	function sees them through sh's dynamic scoping.)
_sb_wait_for()
{
	local _sb_wf_i

	_sb_wf_i=0
	while [ "$_sb_wf_i" -lt "$2" ]; do
		# shellcheck disable=SC2086 # deliberate word list
		$1 && return 0
		sleep 0.1
		_sb_wf_i=$((_sb_wf_i + 1))
	done
	# shellcheck disable=SC2086 # deliberate word list
	$1
}

# _sb_now_ms
#	Print the wall-clock time in milliseconds.
_sb_now_ms()
{
	local _ns

	_ns=$(date +%s%N)
	case "$_ns" in
	*N)	echo "$(( $(date +%s) * 1000 ))" ;;
	*)	echo "$((_ns / 1000000))" ;;
	esac
}

# _sb_is_root
#	Succeed when running as root.
_sb_is_root()
{
	[ "$(id -u)" -eq 0 ]
}
