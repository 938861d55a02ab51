#!/bin/sh
#
# lint.sh - check every shell file of the project.
#
# lint.sh [file ...]
#
# Without arguments, the shell files are: every *.sh, every file whose
# first line is a #!/bin/sh shebang, everything under shims/ and
# rc.subr.d/ but README and *.md files, tests/rc/**/*.inc (sourced
# scenario helpers), the fixture rc.subr, rc and defaults/rc.conf, and the
# fakes.  Excluded: build output, .git, fuzz corpora and tests/fixtures
# (rc.d scripts that svcj-check audit and lint read as data, some bad on
# purpose, never run).  Each gets "shellcheck -s sh", "dash -n" and
# "busybox ash -n".  Prints each file checked and each finding; exits
# 1 if anything was found, 69 if a checker is missing.

_li_here=$(cd "$(dirname "$0")" && pwd)
_li_repo=$(cd "$_li_here/../.." && pwd)

for _li_tool in shellcheck dash busybox; do
	if ! command -v "$_li_tool" >/dev/null 2>&1; then
		echo "lint.sh: $_li_tool not found: apt-get install shellcheck dash busybox" >&2
		exit 69
	fi
done

#
# _li_files
#	Print the project's shell files, one a line, relative to the repo.
#
_li_files()
{
	(
		cd "$_li_repo" || exit 1
		find . \( -name .git -o -name target -o -name corpus \
		    -o -path ./tests/fixtures \
		    -o -name artifacts -o -name node_modules \) -prune \
		    -o -type f -print |
		while IFS= read -r _li_f; do
			_li_f=${_li_f#./}
			case "$_li_f" in
			shims/README*|shims/*.md|rc.subr.d/README*|rc.subr.d/*.md)
				continue
				;;
			*.sh|tests/rc/*.inc|shims/*|rc.subr.d/*|tests/rc/fixture/rc.subr|\
			tests/rc/fixture/defaults.rc.conf|tests/rc/fixture/rc|\
			tests/rc/fakes/*)
				echo "$_li_f"
				continue
				;;
			esac
			case "$(head -c 64 "$_li_f" 2>/dev/null | head -n 1)" in
			'#!/bin/sh'*|'#! /bin/sh'*)	echo "$_li_f" ;;
			esac
		done | sort -u
	)
}

if [ $# -gt 0 ]; then
	_li_list=$(for _li_f in "$@"; do echo "$_li_f"; done)
	_li_base=.
else
	_li_list=$(_li_files)
	_li_base=$_li_repo
fi

_li_bad=0
_li_n=0
cd "$_li_base" || exit 1
for _li_f in $_li_list; do
	_li_n=$((_li_n + 1))
	_li_out=
	# SC3043: "local" is part of the project's sh dialect (dash, ash).
	if ! _li_o=$(shellcheck -s sh -x -e SC3043 "$_li_f" 2>&1); then
		_li_out="$_li_out$_li_o
"
	fi
	if ! _li_o=$(dash -n "$_li_f" 2>&1); then
		_li_out="${_li_out}dash -n: $_li_o
"
	fi
	if ! _li_o=$(busybox ash -n "$_li_f" 2>&1); then
		_li_out="${_li_out}busybox ash -n: $_li_o
"
	fi
	if [ -n "$_li_out" ]; then
		echo "FAIL $_li_f"
		printf '%s' "$_li_out" | sed 's/^/    /'
		_li_bad=$((_li_bad + 1))
	else
		echo "ok   $_li_f"
	fi
done
echo "lint: $_li_n shell files checked, $_li_bad with findings"
[ "$_li_bad" -eq 0 ]
