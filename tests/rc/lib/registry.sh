# registry.sh - read the Linux service-jail registry from the fakes.
#
# Sourced by the fake FreeBSD commands of the rc-level test root (ps, jls,
# jexec).  The registry format is the one of docs/HACKING.md: one file
# /run/svcj/<jailname>.jail per live jail, key=value lines.  An entry whose
# reaper is gone, or whose pid namespace or start time differ from the
# file, is stale and treated as absent (svcj-exec and svcj-kill remove stale
# entries; the fakes only read).
#
# All names here start with _fk_ (fake kit).

_fk_rundir=/run/svcj

# Helpers that compute a value leave it in _fk_out instead of printing
# it: a command substitution costs the shell a fork, and these run many
# times per ps(1) or jls(8) call, where FreeBSD's own tools fork nothing.

#
# _fk_selfns
#	Set _fk_out to the inode number of the caller's PID namespace.
#
_fk_selfns()
{
	local _l

	_l=$(readlink "/proc/$$/ns/pid" 2>/dev/null) || return 1
	_l=${_l#pid:[}
	_fk_out=${_l%]}
}

#
# _fk_nsof pid
#	Set _fk_out to the inode number of the PID namespace of process pid.
#	Fails if the process is gone.  The ns link needs ptrace access
#	(CAP_SYS_PTRACE, which jailed root lacks, for another uid's or an
#	undumpable process); without it, a process as deep in the PID
#	namespace tree as the caller (same number of NSpid entries in this
#	/proc, which is mounted for the caller's own namespace) is in the
#	caller's namespace: so root in a service jail sees every process of
#	its jail, as ps(1) does in a FreeBSD jail.
#
_fk_nsof()
{
	local _l _d

	if _l=$(readlink "/proc/$1/ns/pid" 2>/dev/null); then
		_l=${_l#pid:[}
		_fk_out=${_l%]}
		return 0
	fi
	[ -d "/proc/$1" ] || return 1
	_fk_nsdepth "$1" || return 1
	_d=$_fk_out
	_fk_nsdepth $$ || return 1
	[ "$_d" = "$_fk_out" ] || return 1
	_fk_selfns
}

#
# _fk_nsdepth pid
#	Set _fk_out to how many PID namespaces, counted from the one this
#	/proc belongs to, process pid is nested in (the NSpid line's length).
#
_fk_nsdepth()
{
	local _k _rest

	while read -r _k _rest; do
		if [ "$_k" = "NSpid:" ]; then
			# shellcheck disable=SC2086 # one pid a word
			set -- $_rest
			_fk_out=$#
			return 0
		fi
	done < "/proc/$1/status"
	return 1
}

#
# _fk_starttime pid
#	Set _fk_out to field 22 (start time) of /proc/pid/stat.
#
_fk_starttime()
{
	local _line

	{ read -r _line < "/proc/$1/stat"; } 2>/dev/null || return 1
	# Fields after the command name, which may contain blanks and ')'.
	_line=${_line##*) }
	# shellcheck disable=SC2086 # deliberate word splitting
	set -- $_line
	# $1 is field 3 (state); field 22 is $20.
	shift 19
	_fk_out=$1
}

#
# _fk_jail_load file
#	Read one registry entry into _fk_j_name, _fk_j_jid, _fk_j_reaper,
#	_fk_j_pidns, _fk_j_start, _fk_j_ip4, _fk_j_ip6, _fk_j_ip4addr,
#	_fk_j_ip6addr, _fk_j_sysvipc, _fk_j_params.
#	Returns 1 if the file cannot be read.
#
_fk_jail_load()
{
	local _k _v

	_fk_j_name='' _fk_j_jid='' _fk_j_reaper='' _fk_j_pidns=''
	_fk_j_start='' _fk_j_ip4='' _fk_j_ip6='' _fk_j_ip4addr=''
	_fk_j_ip6addr='' _fk_j_sysvipc='' _fk_j_params=''
	[ -r "$1" ] || return 1
	while IFS='=' read -r _k _v; do
		case "$_k" in
		name)		_fk_j_name=$_v ;;
		jid)		_fk_j_jid=$_v ;;
		reaper)		_fk_j_reaper=$_v ;;
		pidns)		_fk_j_pidns=$_v ;;
		starttime)	_fk_j_start=$_v ;;
		ip4)		_fk_j_ip4=$_v ;;
		ip6)		_fk_j_ip6=$_v ;;
		ip4.addr)	_fk_j_ip4addr=$_v ;;
		ip6.addr)	_fk_j_ip6addr=$_v ;;
		sysvipc)	_fk_j_sysvipc=$_v ;;
		params)		_fk_j_params=$_v ;;
		esac
	done < "$1"
	[ -n "$_fk_j_name" ] && [ -n "$_fk_j_jid" ]
}

#
# _fk_jail_live
#	True if the entry loaded by _fk_jail_load is live: its reaper exists,
#	is in the recorded PID namespace and has the recorded start time.
#	Only meaningful from outside the jail (inside, the reaper's host
#	PID is not visible).
#
_fk_jail_live()
{
	case "$_fk_j_reaper" in
	''|*[!0-9]*)	return 1 ;;
	esac
	# The start time first: a read, where the namespace is a readlink(1).
	if [ -n "$_fk_j_start" ]; then
		_fk_starttime "$_fk_j_reaper" || return 1
		[ "$_fk_out" = "$_fk_j_start" ] || return 1
	fi
	_fk_nsof "$_fk_j_reaper" || return 1
	[ "$_fk_out" = "$_fk_j_pidns" ]
}

#
# _fk_inside_jail
#	True if the caller runs inside a registered service jail: its PID
#	namespace is the one of a registry entry, and the namespace's PID 1
#	(the jail's reaper, as seen from inside) has the entry's start time
#	(so that a stale entry whose namespace number was reused does not
#	count).  Sets _fk_j_* to it.
#
_fk_inside_jail()
{
	local _self _one _f

	# The start time of this /proc's PID 1 is a read; the namespace is a
	# readlink(1), so it is asked only for an entry that may match.
	_one=
	_fk_starttime 1 && _one=$_fk_out
	_self=
	for _f in "$_fk_rundir"/*.jail; do
		_fk_jail_load "$_f" || continue
		if [ -n "$_fk_j_start" ]; then
			[ "$_one" = "$_fk_j_start" ] || continue
		fi
		if [ -z "$_self" ]; then
			_fk_selfns || return 1
			_self=$_fk_out
		fi
		[ "$_fk_j_pidns" = "$_self" ] || continue
		return 0
	done
	return 1
}

#
# _fk_jailed
#	True if the caller runs inside a service jail: its PID namespace is
#	not the test root's own (recorded by enter.sh in
#	/etc/svcj-test-hostpidns; a service jail's registry is not visible
#	from inside it), as security.jail.jailed is 1 in a jail.
#
_fk_jailed()
{
	local _host

	if { read -r _host < /etc/svcj-test-hostpidns; } 2>/dev/null &&
	    [ -n "$_host" ]; then
		# A namespace that cannot be read is not the root's (as before).
		_fk_out=
		_fk_selfns
		[ "$_fk_out" != "$_host" ]
		return
	fi
	_fk_inside_jail
}

#
# _fk_jail_find jail
#	Find the live jail whose name or JID is jail, as seen from the
#	caller (from inside a jail no jail is visible: service jails have
#	no children).  Loads it into _fk_j_*; returns 1 if there is none.
#
_fk_jail_find()
{
	local _f

	[ -n "$1" ] || return 1
	_fk_inside_jail && return 1
	for _f in "$_fk_rundir"/*.jail; do
		_fk_jail_load "$_f" || continue
		_fk_jail_live || continue
		case "$1" in
		"$_fk_j_name"|"$_fk_j_jid")	return 0 ;;
		esac
	done
	return 1
}

#
# _fk_nsmap
#	Set _fk_out to "pidns:jid" words for every live jail visible to the
#	caller, space separated, for the ps(1) fake's jid column.
#
_fk_nsmap()
{
	local _f _map

	_map=
	if ! _fk_inside_jail; then
		for _f in "$_fk_rundir"/*.jail; do
			_fk_jail_load "$_f" || continue
			_fk_jail_live || continue
			_map="$_map $_fk_j_pidns:$_fk_j_jid"
		done
	fi
	_fk_out=$_map
}

#
# _fk_quote word
#	Print word single-quoted for eval.
#
_fk_quote()
{
	local _s _out

	_s=$1
	_out=
	while :; do
		case "$_s" in
		*\'*)
			_out="$_out${_s%%\'*}'\\''"
			_s=${_s#*\'}
			;;
		*)
			_out="$_out$_s"
			break
			;;
		esac
	done
	printf "'%s'" "$_out"
}
