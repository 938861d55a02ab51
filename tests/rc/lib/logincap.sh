# logincap.sh - read the test root's /etc/login.conf from the fakes.
#
# Sourced by the limits and env fakes.  A model of what they use of
# FreeBSD's lib/libutil/login_cap.c and login_class.c: a class is a
# login.conf(5) record ("name|alias:cap=value:cap:..." with backslash
# continuations), tc=other appends the other record's capabilities (the
# first occurrence of a capability wins), and a class that does not exist
# is replaced by "default" (login_getclassbyname), if that exists.
#
# All names here start with _fk_lc.

_fk_lc_file=/etc/login.conf

#
# _fk_lc_record class
#	Print the capabilities of class's own record, one a line, without
#	following tc=; fail if there is no such record.
#
_fk_lc_record()
{
	[ -r "$_fk_lc_file" ] || return 1
	awk -v want="$1" '
		/^#/ { next }
		{
			line = $0
			if (sub(/\\$/, "", line)) { rec = rec line; next }
			rec = rec line
			if (rec != "") recs[++n] = rec
			rec = ""
		}
		END {
			if (rec != "") recs[++n] = rec
			for (i = 1; i <= n; i++) {
				r = recs[i]
				gsub(/[ \t]*:[ \t]*/, ":", r)
				split(r, f, ":")
				k = split(f[1], names, "|")
				hit = 0
				for (j = 1; j <= k; j++)
					if (names[j] == want) hit = 1
				if (!hit) continue
				m = split(r, caps, ":")
				for (j = 2; j <= m; j++)
					if (caps[j] != "") print caps[j]
				exit 0
			}
			exit 1
		}' "$_fk_lc_file"
}

#
# _fk_lc_caps class
#	Print the capabilities of class, tc= followed (at most 10 deep),
#	one a line; fail if the class has no record.
#
_fk_lc_caps()
{
	local _c _depth _out _next

	_c=$1
	_depth=0
	_out=$(_fk_lc_record "$_c") || return 1
	while [ "$_depth" -lt 10 ]; do
		_next=$(printf '%s\n' "$_out" | sed -n 's/^tc=//p' | head -n 1)
		[ -n "$_next" ] || break
		_out=$(printf '%s\n' "$_out" | sed '0,/^tc=/{/^tc=/d;}')
		_out="$_out
$(_fk_lc_record "$_next")"
		_depth=$((_depth + 1))
	done
	printf '%s\n' "$_out" | sed '/^tc=/d; /^$/d'
}

#
# _fk_lc_get caps name
#	Print the value of capability name in the capability list caps
#	(the first one wins); fail if it is absent.
#
_fk_lc_get()
{
	_fk_lc_getv "$1" "$2" && printf '%s\n' "$_fk_lc_v"
}

#
# _fk_lc_getv caps name
#	As _fk_lc_get, without a subshell: set _fk_lc_v to the value (the
#	limits fake asks for dozens of capabilities on every rc.d start).
#
_fk_lc_getv()
{
	local _rest _line _nl

	_nl='
'
	_rest=$1
	_fk_lc_v=
	# Bounded: each turn drops one line of caps.
	while [ -n "$_rest" ]; do
		_line=${_rest%%"$_nl"*}
		case "$_line" in
		"$2="*)	_fk_lc_v=${_line#"$2="}; return 0 ;;
		esac
		case "$_rest" in
		*"$_nl"*)	_rest=${_rest#*"$_nl"} ;;
		*)		_rest= ;;
		esac
	done
	return 1
}

#
# _fk_lc_class class
#	Print the name of the class login_getclassbyname would use for
#	class: class itself if it has a record, else "default" if that has
#	one; fail if neither has.
#
_fk_lc_class()
{
	if [ -n "$1" ] && _fk_lc_record "$1" >/dev/null; then
		echo "$1"
	elif _fk_lc_record default >/dev/null; then
		echo default
	else
		return 1
	fi
}

#
# _fk_lc_quote word
#	Print word single-quoted for eval.
#
_fk_lc_quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
