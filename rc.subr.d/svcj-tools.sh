# svcj-tools.sh - hook service jails into rc.subr(8)
#
# /etc/local.rc.subr (rc.subr sources that file when it has finished
# loading) sources this file; the administrator appends the text of
# ${_svcjt_prefix}/share/svcj-tools/local.rc.subr there, which holds the
# line
#
#	command . /usr/local/etc/rc.subr.d/svcj-tools.sh
#
# On an rc.subr that has no local.rc.subr, the same text goes at the end
# of /etc/rc.conf instead.  `svcj-check preflight` tells whether it is in
# place.  Why "command .": sh(1) aborts when a plain "." cannot open its
# file, so with this file missing (package removed) a plain line would
# stop rc.subr from loading and every rc.d script would fail.  The rest
# of that text covers boot with /usr/local not mounted yet when rc.subr
# is first read: a stand-in run_rc_command retries loading this file at
# every call and, until it loads, refuses the services that ask for a
# jail.
#
# This file is sourced many times (rc.conf is read by every service and by
# programs that are not rc(8) at all), so it is cheap and idempotent, and
# it does nothing in a shell that has no run_rc_command.
#
# What it does: it defines _svcjt_orig_run_rc_command, a copy of the
# run_rc_command of the rc.subr that is actually loaded (POSIX sh cannot
# rename a function, so the copy is made from the text of /etc/rc.subr),
# and replaces run_rc_command with a small wrapper that decides at call
# time, per service, whether the service asked for a service jail
# (${name}_svcj, else svcj_all_enable).  Services that did not are handed
# to the copy untouched.  Services that did are handed to the shim
# library, ${_svcjt_prefix}/share/svcj-tools/svcj.subr; if that library
# cannot be loaded (not installed, /usr/local not mounted yet), such a
# service is refused with a message: it is never started unjailed.
#
# _svcjt_prefix (default /usr/local) exists for the test suite only.
#
# Every name defined here starts with _svcjt_ (rc.subr itself uses
# _svcj_).

#
# _svcjt_hook
#	Install the wrapper once per shell.  Fails closed: if the running
#	run_rc_command cannot be copied, an rc.subr with native service
#	jails is left alone (it jails what asks for it), and on any other
#	the wrapper refuses every service, with a message that says how to
#	remove the hook.
#
_svcjt_hook()
{
	local _svcjt_t

	_svcjt_copied=NO
	_svcjt_active=
	_svcjt_lib_loaded=NO
	: "${_svcjt_prefix:=/usr/local}"
	: "${_svcjt_rcsubr:=/etc/rc.subr}"
	_svcjt_libdir="${_svcjt_prefix}/share/svcj-tools"

	_svcjt_t=$(sed -n \
	    '/^run_rc_command[[:space:]]*()/,/^}/p' "$_svcjt_rcsubr" 2>/dev/null)
	case "$_svcjt_t" in
	run_rc_command*'
}')
		_svcjt_t="_svcjt_orig_run_rc_command()${_svcjt_t#run_rc_command*()}"
		if command eval "$_svcjt_t" 2>/dev/null &&
		    type _svcjt_orig_run_rc_command >/dev/null 2>&1; then
			_svcjt_copied=YES
		fi
		;;
	esac
	# The default start method can be taken over without re-reading
	# rc.subr inside the jail if it runs its command through limits(1).
	case "$_svcjt_t" in
	*'limits -C'*)	_svcjt_uselimits=YES ;;
	*)		_svcjt_uselimits=NO ;;
	esac
	if [ "$_svcjt_copied" != YES ]; then
		echo "svcj-tools: cannot copy run_rc_command from" \
		    "$_svcjt_rcsubr; remove the svcj-tools line from" \
		    "/etc/local.rc.subr (or rc.conf)" >&2
		# An rc.subr with service jails of its own still jails the
		# services that ask for it: leave it alone.  Otherwise fail
		# closed (the wrapper below refuses every service).
		if grep -q '_rc_svcj' "$_svcjt_rcsubr" 2>/dev/null; then
			_svcjt_hooked=YES
			return 0
		fi
	fi

	#
	# run_rc_command argument [args ...]
	#	The svcj-tools wrapper: see the comment at the top of
	#	svcj-tools.sh.
	#
	run_rc_command()
	{
		local _svcjt_w

		_svcjt_want
		_svcjt_w=$?
		case $_svcjt_w in
		0)
			if [ "$_svcjt_copied" = YES ] && _svcjt_load; then
				_svcjt_run "$@"
				return $?
			fi
			# Commands that never run the service still work.
			if [ "$_svcjt_copied" = YES ] && _svcjt_harmless "$1"
			then
				_svcjt_orig_run_rc_command "$@"
				return $?
			fi
			if [ "$_svcjt_copied" != YES ]; then
				echo "${name}: svcj-tools could not hook" \
				    "rc.subr: not starting ${name} without" \
				    "a jail." >&2
				return 1
			fi
			echo "${name}: service jail requested, but the" \
			    "svcj-tools shims cannot be loaded from" \
			    "${_svcjt_libdir}: not starting ${name}" \
			    "without a jail." >&2
			return 1
			;;
		2)
			return 1
			;;
		esac
		if [ "$_svcjt_copied" != YES ]; then
			echo "${name}: svcj-tools could not hook rc.subr;" \
			    "remove the svcj-tools line from" \
			    "/etc/local.rc.subr (or rc.conf)" >&2
			return 1
		fi
		# Newest rc.subr does this itself; 14.2 to 15.0 do not and then
		# warn about the empty variable.
		if [ $_svcjt_w -eq 1 ]; then
			eval "[ -n \"\${${name}_svcj}\" ] || ${name}_svcj=NO"
		fi
		_svcjt_orig_run_rc_command "$@"
	}
	_svcjt_hooked=YES
}

#
# _svcjt_want
#	Decide whether the current service ($name) runs in a service jail.
#	Returns 0 for yes, 1 for no, 2 for "refused" (a message was
#	printed), 3 for no with a name that is not a shell variable prefix.  Inside a re-entered service jail (the marker
#	_svcjt_inside is set) the answer is yes: the library handles it.
#	A run_rc_command nested in one of ours (restart runs stop and
#	start) keeps the decision of the outer call.
#
_svcjt_want()
{
	case "$name" in
	''|[0-9]*|*[!A-Za-z0-9_]*)
		# Not a shell variable prefix: rc.subr cannot even read
		# ${name}_svcj.  Refuse only if every service must be jailed.
		case "$svcj_all_enable" in
		[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1)
			[ -z "$name" ] && return 3
			# rc.conf text: printf, not echo (dash's echo
			# interprets backslashes).
			printf '%s\n' "${name}: not a valid service jail\
 name; not starting it without a jail." >&2
			return 2
			;;
		esac
		return 3
		;;
	esac
	[ -n "$_svcjt_inside" ] && return 0
	[ "$_svcjt_active" = "$name" ] && return 0
	if _svcjt_base_optout; then
		# As the newest base's script does after load_rc_config.
		eval "${name}_svcj=NO"
		return 1
	fi
	if eval "[ -n \"\${${name}_svcj}\" ]"; then
		checkyesno "${name}_svcj"
	elif [ -n "$svcj_all_enable" ]; then
		checkyesno svcj_all_enable || return 1
		_svcjt_nojail_exempt && return 1
		return 0
	else
		return 1
	fi
}

#
# _svcjt_script_path
#	Set _svcjt_spath to the path of the running rc.d script: rc_service
#	(set by service(8)-era rc.subr and by run_rc_script), else $0 when
#	the script runs directly, else run_rc_script's _file (12.x at boot,
#	where $0 is /etc/rc).
#
_svcjt_script_path()
{
	# shellcheck disable=SC2154 # set by rc.subr
	for _svcjt_spath in "$rc_service" "$0" "$_file"; do
		case "$_svcjt_spath" in
		*/rc.d/*)	return 0 ;;
		esac
	done
	_svcjt_spath=
	return 1
}

#
# _svcjt_base_optout
#	True if the running script is one of the base /etc/rc.d scripts
#	that the newest base opts out of service jails (they set
#	${name}_svcj="NO" after load_rc_config, also over an admin's YES;
#	older releases lack those lines).  svcj-check audit applies the
#	same list (src/check/exempt.rs): keep both in step.
#
_svcjt_base_optout()
{
	case "$name" in
	accounting|addswap|adjkerntz|apm|archdep|automount|automountd|\
	autounmountd|bgfsck|bluetooth|bridge|bthidd|ccd|cfumass|ctld|ddb|\
	defaultroute|devd|devfs|devmatch|dmesg|dnctl|dumpon|fsck|gbde|\
	geli|geli2|ggated|gptboot|growfs|growfs_fstab|hcsecd|hostid|\
	hostid_save|hostname|iovctl|ip6addrctl|ipfilter|ipfs|ipfw|\
	ipfw_netflow|ipnat|ippool|ipsec|iscsictl|iscsid|jail|kld|kldxref|\
	ldconfig|linux|localpkg|mdconfig|mdconfig2|mountcritlocal|\
	mountcritremote|mountlate|moused|natd|netif|netoptions|netwait|\
	pf|pflog|pfsync|power_profile|powerd|random|root|routing|\
	savecore|securelevel|serial|sppp|static_arp|static_ndp|stf|swap|\
	swaplate|syscons|sysctl|sysctl_lastload|sysvipc|ubthidhci|ugidfw|\
	watchdogd|zfs|zfsbe|zfsd|zfskeys|zpool|zvol)
		;;
	*)
		return 1
		;;
	esac
	_svcjt_script_path || return 1
	case "$_svcjt_spath" in
	/etc/rc.d/*)	return 0 ;;
	esac
	return 1
}

#
# _svcjt_nojail_exempt
#	Under svcj_all_enable only: true if the running script declares
#	"# KEYWORD: nojail" and no default ${name}_svcj_options (base jails
#	nojail scripts that declare options, e.g. lockd).  svcj-check audit
#	applies the same rule (src/check/exempt.rs).
#
_svcjt_nojail_exempt()
{
	_svcjt_script_path || return 1
	[ -r "$_svcjt_spath" ] || return 1
	grep -Eq '^#[[:space:]]*KEYWORD:(.*[[:space:]])?nojail([[:space:]].*)?$' \
	    "$_svcjt_spath" 2>/dev/null || return 1
	! grep -Eq "^[^#]*(\\\$\\{name\\}|${name})_svcj_options:?=" \
	    "$_svcjt_spath" 2>/dev/null
}

#
# _svcjt_harmless argument
#	True if argument is a command that never runs the service (rcvar,
#	enabled, describe, extracommands, enable, disable, delete).
#
_svcjt_harmless()
{
	local _svcjt_c

	_svcjt_c=$1
	case "$_svcjt_c" in
	fast*)	_svcjt_c=${_svcjt_c#fast} ;;
	force*)	_svcjt_c=${_svcjt_c#force} ;;
	one*)	_svcjt_c=${_svcjt_c#one} ;;
	quiet*)	_svcjt_c=${_svcjt_c#quiet} ;;
	esac
	case "$_svcjt_c" in
	rcvar|enabled|describe|extracommands|enable|disable|delete)
		return 0
		;;
	esac
	return 1
}

#
# _svcjt_load
#	Load the shim library if it is not loaded yet.  Tried at call time,
#	not only when this file is sourced, because at boot rc.subr is read
#	before /usr/local may be mounted.
#
_svcjt_load()
{
	[ "$_svcjt_lib_loaded" = YES ] && return 0
	[ -r "${_svcjt_libdir}/svcj.subr" ] || return 1
	# shellcheck source=/dev/null # installed beside, not in this tree
	. "${_svcjt_libdir}/svcj.subr" || return 1
	[ "$_svcjt_lib_loaded" = YES ]
}

if [ "$_svcjt_hooked" != YES ] && type run_rc_command >/dev/null 2>&1; then
	_svcjt_hook
fi
