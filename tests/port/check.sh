#!/bin/sh
#
# tests/port/check.sh
#	Consistency of what "pkg install svcj-tools" delivers, checked on
#	Linux the way the FreeBSD ports framework would check it:
#
#	- the port's files are there, in the Porter's Handbook order, and
#	  DISTVERSION is the crate's version;
#	- Makefile.crates is exactly what scripts/cargo-crates.sh prints for
#	  Cargo.lock (and the script handles git sources like cargo.mk);
#	- "make install DESTDIR=... PREFIX=/usr/local" stages exactly the
#	  files pkg-plist names (%%DATADIR%% etc. and man page compression
#	  resolved as the framework does), with GNU make and with bmake;
#	- the port's own post-patch and do-install, run by bmake with a
#	  stand-in for bsd.port.mk, stage exactly pkg-plist under another
#	  PREFIX and point the hook at it;
#	- every man page is "mandoc -Tlint -Wwarning" clean;
#	- every flag of each tool's --help (per subcommand for svcj-check)
#	  is documented as .Fl in its page, and every documented flag exists;
#	- scripts/build-freebsd.sh produces FreeBSD ELF executables
#	  (skipped only when SVCJ_SKIP_FREEBSD_BUILD=1, with a message).
#
#	Prints one "ok -" or "not ok -" line per check; exits 1 if any check
#	failed, 0 otherwise.  BINDIR_SRC may name a directory holding the
#	three built tools; otherwise they are built with "cargo build".

set -u

_svcjpt_top="$(cd "$(dirname "$0")/../.." && pwd)" || exit 70
cd "${_svcjpt_top}" || exit 70

_svcjpt_port=ports/sysutils/svcj-tools
_svcjpt_tools="svcj-exec svcj-kill svcj-check"
_svcjpt_failed=0
_svcjpt_passed=0
_svcjpt_tmp="$(mktemp -d "${TMPDIR:-/tmp}/svcj-port.XXXXXX")" || exit 73
trap 'rm -rf "${_svcjpt_tmp}"' EXIT
trap 'exit 130' INT TERM

# _svcjpt_ok message
#	Record a passed check.
_svcjpt_ok()
{
	_svcjpt_passed=$((_svcjpt_passed + 1))
	echo "ok - $*"
}

# _svcjpt_notok message [detail-file]
#	Record a failed check; print detail-file, indented, when given.
_svcjpt_notok()
{
	_svcjpt_failed=$((_svcjpt_failed + 1))
	echo "not ok - $1"
	if [ $# -ge 2 ] && [ -s "$2" ]; then
		sed 's/^/#   /' "$2"
	fi
}

# _svcjpt_makevar file var
#	Print the value of the first "var=" assignment in Makefile file.
_svcjpt_makevar()
{
	sed -n "s/^$2[?+]*=[[:space:]]*//p" "$1" | head -n 1
}

# _svcjpt_check_port_files
#	The port directory holds what a port needs, its Makefile follows the
#	Porter's Handbook variable order, DISTVERSION is the crate's version
#	and pkg-message is an install message with the hook line.
_svcjpt_check_port_files()
{
	local f missing order prev pos var ver cver comment msg expr n

	missing=
	for f in Makefile Makefile.crates pkg-descr pkg-plist \
	    files/pkg-message.in; do
		[ -s "${_svcjpt_port}/$f" ] || missing="${missing} $f"
	done
	if [ -n "${missing}" ]; then
		_svcjpt_notok "port files present (missing:${missing})"
	else
		_svcjpt_ok "port files present: Makefile Makefile.crates" \
		    "pkg-descr pkg-plist files/pkg-message.in"
	fi

	# Handbook chapter "Order of Variables in Port Makefiles", for the
	# variables this port sets.
	order="PORTNAME DISTVERSIONPREFIX DISTVERSION CATEGORIES MAINTAINER
	    COMMENT WWW LICENSE LICENSE_FILE USES USE_GITHUB GH_ACCOUNT
	    GH_PROJECT GH_TAGNAME SUB_FILES"
	prev=0
	: > "${_svcjpt_tmp}/order"
	for var in ${order}; do
		pos="$(grep -n "^${var}[?+]*=" "${_svcjpt_port}/Makefile" |
		    head -n 1 | cut -d: -f1)"
		[ -n "${pos}" ] || continue
		if [ "${pos}" -lt "${prev}" ]; then
			echo "${var} (line ${pos}) comes too late" \
			    >> "${_svcjpt_tmp}/order"
		fi
		prev="${pos}"
	done
	for var in PORTNAME DISTVERSION CATEGORIES MAINTAINER COMMENT WWW \
	    LICENSE USES; do
		grep -q "^${var}=" "${_svcjpt_port}/Makefile" ||
		    echo "${var} is not set" >> "${_svcjpt_tmp}/order"
	done
	tail -n 1 "${_svcjpt_port}/Makefile" |
	    grep -qx '\.include <bsd\.port\.mk>' ||
	    echo "last line is not .include <bsd.port.mk>" \
	    >> "${_svcjpt_tmp}/order"
	if [ -s "${_svcjpt_tmp}/order" ]; then
		_svcjpt_notok "port Makefile variable order" \
		    "${_svcjpt_tmp}/order"
	else
		_svcjpt_ok "port Makefile: Porter's Handbook variable order"
	fi

	ver="$(_svcjpt_makevar "${_svcjpt_port}/Makefile" DISTVERSION)"
	cver="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
	if [ -n "${ver}" ] && [ "${ver}" = "${cver}" ]; then
		_svcjpt_ok "port DISTVERSION ${ver} = Cargo.toml version"
	else
		_svcjpt_notok "port DISTVERSION '${ver}' differs from Cargo.toml version '${cver}'"
	fi

	comment="$(_svcjpt_makevar "${_svcjpt_port}/Makefile" COMMENT)"
	case "${comment}" in
	*.|[a-z]*|"")
		_svcjpt_notok "COMMENT '${comment}': capitalised, no final dot"
		;;
	*)
		if [ "${#comment}" -le 70 ]; then
			_svcjpt_ok "COMMENT is ${#comment} characters (<= 70)"
		else
			_svcjpt_notok "COMMENT is ${#comment} characters (> 70)"
		fi
		;;
	esac

	# post-patch points the hook at ${PREFIX}: its sed expression must
	# still change exactly one line of the hook.
	# shellcheck disable=SC2016 # a literal ${PREFIX} is meant
	expr="$(sed -n "s/.*REINPLACE_CMD} -e '\\(s|[^']*\\)'.*/\\1/p" \
	    "${_svcjpt_port}/Makefile" | sed 's|\${PREFIX}|/opt/svcj|')"
	if [ -z "${expr}" ]; then
		_svcjpt_notok "port post-patch: no REINPLACE_CMD expression found"
	elif ! sed -e "${expr}" rc.subr.d/svcj-tools.sh \
	    > "${_svcjpt_tmp}/hook.patched" 2> "${_svcjpt_tmp}/hook.err"; then
		_svcjpt_notok "port post-patch expression '${expr}'" \
		    "${_svcjpt_tmp}/hook.err"
	else
		n="$(diff rc.subr.d/svcj-tools.sh "${_svcjpt_tmp}/hook.patched" |
		    grep -c '^>')"
		if [ "$n" -eq 1 ] && grep -q '/opt/svcj' \
		    "${_svcjpt_tmp}/hook.patched"; then
			_svcjpt_ok "port post-patch sets the hook's prefix (1 line)"
		else
			_svcjpt_notok "port post-patch '${expr}' changes $n lines of the hook, not 1"
		fi
	fi

	msg="${_svcjpt_port}/files/pkg-message.in"
	: > "${_svcjpt_tmp}/msg"
	grep -q '^{ type: install$' "${msg}" ||
	    echo "no '{ type: install' entry" >> "${_svcjpt_tmp}/msg"
	grep -q '^{ type: remove$' "${msg}" ||
	    echo "no '{ type: remove' entry (remove the hook line)" \
	    >> "${_svcjpt_tmp}/msg"
	[ "$(grep -c '^  message: <<EOM$' "${msg}")" = \
	    "$(grep -c '^EOM$' "${msg}")" ] ||
	    echo "unbalanced <<EOM heredocs" >> "${_svcjpt_tmp}/msg"
	grep -q '^  message: <<EOM$' "${msg}" ||
	    echo "no 'message: <<EOM' heredoc" >> "${_svcjpt_tmp}/msg"
	grep -q '^EOM$' "${msg}" ||
	    echo "heredoc not closed by EOM" >> "${_svcjpt_tmp}/msg"
	[ "$(head -n 1 "${msg}")" = "[" ] && [ "$(tail -n 1 "${msg}")" = "]" ] ||
	    echo "not a UCL array [ ... ]" >> "${_svcjpt_tmp}/msg"
	grep -q '^  command \. %%PREFIX%%/etc/rc\.subr\.d/svcj-tools\.sh$' "${msg}" ||
	    echo "no hook line 'command . %%PREFIX%%/etc/rc.subr.d/svcj-tools.sh'" \
	    >> "${_svcjpt_tmp}/msg"
	grep -q '/etc/local\.rc\.subr' "${msg}" ||
	    echo "does not name /etc/local.rc.subr" >> "${_svcjpt_tmp}/msg"
	grep -q '/etc/rc\.conf' "${msg}" ||
	    echo "does not name the rc.conf fallback" >> "${_svcjpt_tmp}/msg"
	grep -q 'svcj-check preflight' "${msg}" ||
	    echo "does not mention svcj-check preflight" \
	    >> "${_svcjpt_tmp}/msg"
	grep -q '^SUB_FILES=.*pkg-message' "${_svcjpt_port}/Makefile" ||
	    echo "Makefile lacks SUB_FILES=pkg-message" >> "${_svcjpt_tmp}/msg"
	if [ -s "${_svcjpt_tmp}/msg" ]; then
		_svcjpt_notok "pkg-message" "${_svcjpt_tmp}/msg"
	else
		_svcjpt_ok "pkg-message: UCL install message with the hook" \
		    "line and svcj-check preflight, remove message"
	fi
}

# _svcjpt_check_crates
#	Makefile.crates equals the script's output for Cargo.lock, and the
#	script renders the git-source fixture as cargo.mk does.
_svcjpt_check_crates()
{
	local n

	if sh scripts/cargo-crates.sh Cargo.lock > "${_svcjpt_tmp}/crates" &&
	    diff -u "${_svcjpt_port}/Makefile.crates" "${_svcjpt_tmp}/crates" \
	    > "${_svcjpt_tmp}/crates.diff"; then
		n="$(grep -c . "${_svcjpt_tmp}/crates")"
		_svcjpt_ok "Makefile.crates matches Cargo.lock (${n} crates)"
	else
		echo "fix: make crates" >> "${_svcjpt_tmp}/crates.diff"
		_svcjpt_notok "Makefile.crates differs from scripts/cargo-crates.sh Cargo.lock" \
		    "${_svcjpt_tmp}/crates.diff"
	fi
	if sh scripts/cargo-crates.sh \
	    tests/port/fixtures/git-sources.Cargo.lock \
	    > "${_svcjpt_tmp}/git.crates" &&
	    diff -u tests/port/fixtures/git-sources.crates \
	    "${_svcjpt_tmp}/git.crates" > "${_svcjpt_tmp}/git.diff"; then
		_svcjpt_ok "cargo-crates.sh: registry order, git sources," \
		    "other registries (fixture)"
	else
		_svcjpt_notok "cargo-crates.sh on the git-source fixture" \
		    "${_svcjpt_tmp}/git.diff"
	fi
	if sh scripts/cargo-crates.sh /nonexistent/Cargo.lock \
	    > /dev/null 2>&1; then
		_svcjpt_notok "cargo-crates.sh accepts a missing lock file"
	else
		_svcjpt_ok "cargo-crates.sh refuses a missing lock file"
	fi
}

# _svcjpt_build
#	Set _svcjpt_bin to a directory holding the three tools: BINDIR_SRC
#	when given, else a "cargo build" of the workspace.
_svcjpt_build()
{
	local t

	if [ -n "${BINDIR_SRC:-}" ]; then
		_svcjpt_bin="${BINDIR_SRC}"
	else
		if ! cargo build --bins --quiet > "${_svcjpt_tmp}/build" 2>&1; then
			_svcjpt_notok "cargo build --bins" "${_svcjpt_tmp}/build"
			return 1
		fi
		_svcjpt_bin="${CARGO_TARGET_DIR:-target}/debug"
	fi
	for t in ${_svcjpt_tools}; do
		if [ ! -x "${_svcjpt_bin}/$t" ]; then
			_svcjpt_notok "built tool ${_svcjpt_bin}/$t missing"
			return 1
		fi
	done
	_svcjpt_ok "tools built in ${_svcjpt_bin}"
}

# _svcjpt_stage make destdir prefix
#	Run "make install" with the given make program; print the staged
#	files as "mode path" lines (path relative to destdir) into
#	destdir.list.
_svcjpt_stage()
{
	"$1" -s install DESTDIR="$2" PREFIX="$3" BINDIR_SRC="${_svcjpt_bin}" \
	    > "$2.log" 2>&1 || return 1
	(cd "$2" && find . \( -type f -o -type l \) -printf '%m %P\n') |
	    sort -k 2 > "$2.list"
}

# _svcjpt_plist_resolve plist
#	Print the files pkg-plist names, with %%...%% resolved and man pages
#	uncompressed, as the framework compares them with the stage after
#	compressing man pages itself; unsupported lines go to stderr.
_svcjpt_plist_resolve()
{
	sed -e '/^@comment /d' -e '/^[[:space:]]*$/d' \
	    -e 's|%%PORTDOCS%%||g' -e 's|%%PORTEXAMPLES%%||g' \
	    -e 's|%%DATADIR%%|share/svcj-tools|g' \
	    -e 's|%%DOCSDIR%%|share/doc/svcj-tools|g' \
	    -e 's|%%EXAMPLESDIR%%|share/examples/svcj-tools|g' \
	    -e 's|%%ETCDIR%%|etc/svcj-tools|g' \
	    -e 's|^\(share/man/man[1-9n]/.*\)\.gz$|\1|' "$1" |
	while IFS= read -r _line; do
		case "${_line}" in
		@*|*%%*|/*)
			echo "unsupported pkg-plist line: ${_line}" >&2
			;;
		*)
			echo "${_line}"
			;;
		esac
	done | sort
}

# _svcjpt_check_install
#	Stage with GNU make (and bmake when installed) and compare with
#	pkg-plist; check modes, PREFIX handling and the missing-binary error.
_svcjpt_check_install()
{
	local m bad

	if ! _svcjpt_stage make "${_svcjpt_tmp}/gnu" /usr/local; then
		_svcjpt_notok "make install (GNU make)" "${_svcjpt_tmp}/gnu.log"
		return 1
	fi
	_svcjpt_ok "make install DESTDIR=... PREFIX=/usr/local (GNU make)"

	grep -v ' usr/local/' "${_svcjpt_tmp}/gnu.list" \
	    > "${_svcjpt_tmp}/outside" || :
	if [ -s "${_svcjpt_tmp}/outside" ]; then
		_svcjpt_notok "files staged outside PREFIX" \
		    "${_svcjpt_tmp}/outside"
	else
		_svcjpt_ok "nothing staged outside PREFIX"
	fi

	sed -n 's| usr/local/| |p' "${_svcjpt_tmp}/gnu.list" |
	    cut -d ' ' -f 2 | sort > "${_svcjpt_tmp}/staged"
	_svcjpt_plist_resolve "${_svcjpt_port}/pkg-plist" \
	    > "${_svcjpt_tmp}/plist" 2> "${_svcjpt_tmp}/plist.err"
	if [ -s "${_svcjpt_tmp}/plist.err" ]; then
		_svcjpt_notok "pkg-plist has lines this test cannot resolve" \
		    "${_svcjpt_tmp}/plist.err"
	fi
	if diff -u "${_svcjpt_tmp}/plist" "${_svcjpt_tmp}/staged" \
	    > "${_svcjpt_tmp}/plist.diff"; then
		_svcjpt_ok "staged tree = pkg-plist ($(wc -l < \
		    "${_svcjpt_tmp}/staged") files)"
	else
		echo "(- pkg-plist, + staged)" >> "${_svcjpt_tmp}/plist.diff"
		_svcjpt_notok "staged tree differs from pkg-plist" \
		    "${_svcjpt_tmp}/plist.diff"
	fi
	if [ "$(grep -c '^\(share/man/\|sbin/svcj-\|etc/rc\.subr\.d/\)' \
	    "${_svcjpt_tmp}/staged")" -ge 8 ]; then
		_svcjpt_ok "staged: tools in sbin, man pages, rc.subr hook"
	else
		_svcjpt_notok "staged tree lacks tools, man pages or hook"
	fi

	bad="$(awk '$2 ~ /^usr\/local\/sbin\// && $1 != "555" { print }
	    $2 ~ /^usr\/local\/share\/man\// && $1 != "444" { print }
	    $2 ~ /^usr\/local\/etc\// && $1 != "444" { print }' \
	    "${_svcjpt_tmp}/gnu.list")"
	if [ -z "${bad}" ]; then
		_svcjpt_ok "modes: sbin 0555, man pages and hook 0444"
	else
		echo "${bad}" > "${_svcjpt_tmp}/modes"
		_svcjpt_notok "wrong modes in the stage" "${_svcjpt_tmp}/modes"
	fi

	if command -v bmake > /dev/null 2>&1; then
		if _svcjpt_stage bmake "${_svcjpt_tmp}/bsd" /usr/local &&
		    diff -u "${_svcjpt_tmp}/gnu.list" "${_svcjpt_tmp}/bsd.list" \
		    > "${_svcjpt_tmp}/bsd.diff"; then
			_svcjpt_ok "bmake install stages the same tree as GNU make"
		else
			cat "${_svcjpt_tmp}/bsd.log" >> "${_svcjpt_tmp}/bsd.diff" \
			    2> /dev/null
			_svcjpt_notok "bmake install" "${_svcjpt_tmp}/bsd.diff"
		fi
	else
		echo "skipped - bmake not installed (apt-get install bmake)"
	fi

	if _svcjpt_stage make "${_svcjpt_tmp}/opt" /opt/svcj &&
	    [ -x "${_svcjpt_tmp}/opt/opt/svcj/sbin/svcj-exec" ] &&
	    ! grep -q ' usr/local/' "${_svcjpt_tmp}/opt.list"; then
		_svcjpt_ok "PREFIX=/opt/svcj is honoured"
	else
		_svcjpt_notok "PREFIX=/opt/svcj is not honoured" \
		    "${_svcjpt_tmp}/opt.log"
	fi

	m="${_svcjpt_tmp}/nobin"
	if make -s install DESTDIR="$m" BINDIR_SRC=/nonexistent \
	    > "$m.log" 2>&1; then
		_svcjpt_notok "make install without binaries succeeded"
	elif ! grep -q "run 'make' first" "$m.log" || [ -e "$m" ]; then
		_svcjpt_notok "make install without binaries: message or leftovers" \
		    "$m.log"
	else
		_svcjpt_ok "make install without binaries fails, says why," \
		    "stages nothing"
	fi
}

# _svcjpt_check_port_targets
#	Run the port's own post-patch and do-install with bmake, against a
#	stand-in for bsd.port.mk that sets only what they use (as the
#	framework does: REINPLACE_CMD, INSTALL_*, MKDIR, MAKE_CMD, the cargo
#	output directory), into a stage with PREFIX=/opt/svcj; the stage must
#	match pkg-plist and the hook must point at the prefix.  Also parse
#	Makefile.crates with bmake.
_svcjpt_check_port_targets()
{
	local mk wrk stage tgt n want

	if ! command -v bmake > /dev/null 2>&1; then
		echo "skipped - port targets need bmake (apt-get install bmake)"
		return 0
	fi
	mk="${_svcjpt_tmp}/mk"
	wrk="${_svcjpt_tmp}/wrksrc"
	stage="${_svcjpt_tmp}/portstage"
	tgt="${_svcjpt_tmp}/cargo-target"
	mkdir -p "${mk}" "${wrk}" "${tgt}/x86_64-unknown-freebsd"
	cat > "${mk}/bsd.port.mk" <<-'EOF'
	.sinclude "${.CURDIR}/Makefile.crates"
	MAKE_CMD?=		bmake
	MKDIR?=			mkdir -p
	INSTALL_PROGRAM?=	install -s -m 555
	INSTALL_SCRIPT?=	install -m 555
	INSTALL_DATA?=		install -m 0444
	INSTALL_MAN?=		install -m 444
	REINPLACE_CMD?=		sed -i.bak
	CARGO_BUILD_TARGET?=	x86_64-unknown-freebsd
	EOF
	cp -R Makefile shims rc.subr.d man "${wrk}/"
	ln -s "$(cd "${_svcjpt_bin}" && pwd)" \
	    "${tgt}/x86_64-unknown-freebsd/release"

	n="$(bmake -m "${mk}" -m /usr/share/mk -C "${_svcjpt_port}" \
	    -V CARGO_CRATES 2> "${_svcjpt_tmp}/crates.err" | wc -w)"
	want="$(grep -c . "${_svcjpt_port}/Makefile.crates")"
	if [ "$n" -eq "${want}" ] && [ "$n" -gt 0 ]; then
		_svcjpt_ok "bmake reads Makefile.crates: ${n} CARGO_CRATES"
	else
		_svcjpt_notok "bmake reads $n CARGO_CRATES, Makefile.crates has ${want} lines" \
		    "${_svcjpt_tmp}/crates.err"
	fi

	if ! bmake -m "${mk}" -m /usr/share/mk -C "${_svcjpt_port}" \
	    WRKSRC="${wrk}" STAGEDIR="${stage}" PREFIX=/opt/svcj \
	    CARGO_TARGET_DIR="${tgt}" post-patch do-install \
	    > "${_svcjpt_tmp}/port.log" 2>&1; then
		_svcjpt_notok "port post-patch do-install (bmake)" \
		    "${_svcjpt_tmp}/port.log"
		return 1
	fi
	(cd "${stage}/opt/svcj" && find . \( -type f -o -type l \) -print) |
	    sed 's|^\./||' | sort > "${_svcjpt_tmp}/portstaged"
	if [ "$(find "${stage}" \( -type f -o -type l \) | wc -l)" -ne \
	    "$(wc -l < "${_svcjpt_tmp}/portstaged")" ]; then
		_svcjpt_notok "port do-install staged files outside PREFIX"
	elif diff -u "${_svcjpt_tmp}/plist" "${_svcjpt_tmp}/portstaged" \
	    > "${_svcjpt_tmp}/portstaged.diff"; then
		_svcjpt_ok "port do-install (bmake, PREFIX=/opt/svcj) stages" \
		    "exactly pkg-plist"
	else
		_svcjpt_notok "port do-install stage differs from pkg-plist" \
		    "${_svcjpt_tmp}/portstaged.diff"
	fi
	if grep -q '_svcjt_prefix:=/opt/svcj}' \
	    "${stage}/opt/svcj/etc/rc.subr.d/svcj-tools.sh"; then
		_svcjpt_ok "port: the staged hook looks for the shims in PREFIX"
	else
		_svcjpt_notok "port: the staged hook does not use PREFIX=/opt/svcj"
	fi
}

# _svcjpt_check_mandoc
#	Every page exists and is mandoc -Tlint -Wwarning clean.
_svcjpt_check_mandoc()
{
	local p

	for p in man/svcj-tools.7 man/svcj-exec.8 man/svcj-kill.8 \
	    man/svcj-check.8; do
		[ -f "$p" ] || _svcjpt_notok "man page $p missing"
	done
	for p in man/*.[1-9]; do
		[ -f "$p" ] || continue
		if mandoc -Tlint -Wwarning "$p" > "${_svcjpt_tmp}/lint" 2>&1
		then
			_svcjpt_ok "mandoc -Tlint -Wwarning $p"
		else
			_svcjpt_notok "mandoc -Tlint -Wwarning $p" \
			    "${_svcjpt_tmp}/lint"
		fi
	done
}

# _svcjpt_check_man_content
#	Each section 8 page has the sections the issue asks for, the SEE
#	ALSO references, and sysexits names whose numbers are those of
#	src/sysexits.rs; the overview page has its parts.
_svcjpt_check_man_content()
{
	local p sec xr name num want out

	out="${_svcjpt_tmp}/content"
	for p in man/svcj-exec.8 man/svcj-kill.8 man/svcj-check.8; do
		[ -f "$p" ] || continue
		: > "${out}"
		for sec in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES \
		    "EXIT STATUS" EXAMPLES "SEE ALSO" CAVEATS; do
			grep -qx "\.Sh ${sec}" "$p" ||
			    echo "no section ${sec}" >> "${out}"
		done
		for xr in "jail 8" "jexec 8" "rc.conf 5" "rc.subr 8" \
		    "service 8" "svcj-tools 7" "sysexits 3"; do
			grep -q "^\.Xr ${xr}" "$p" ||
			    echo "SEE ALSO lacks ${xr}" >> "${out}"
		done
		for name in svcj-exec svcj-kill svcj-check; do
			[ "man/${name}.8" = "$p" ] && continue
			grep -q "^\.Xr ${name} 8" "$p" ||
			    echo "SEE ALSO lacks ${name} 8" >> "${out}"
		done
		grep -q '^\.It Ev SVCJ_RUNDIR$' "$p" ||
		    echo "ENVIRONMENT lacks SVCJ_RUNDIR" >> "${out}"
		sed -n 's/^\.It Dv \(EX_[A-Z]*\) Pq \([0-9]*\)$/\1 \2/p' "$p" |
		while read -r name num; do
			want="$(sed -n "s/^pub const ${name}: i32 = \([0-9]*\);/\1/p" \
			    src/sysexits.rs)"
			[ "${want}" = "${num}" ] ||
			    echo "${name} is ${want:-not in src/sysexits.rs}, page says ${num}"
		done >> "${out}"
		grep -q '^\.It Dv EX_' "$p" ||
		    echo "EXIT STATUS names no sysexits value" >> "${out}"
		if [ -s "${out}" ]; then
			_svcjpt_notok "$p: sections, SEE ALSO, exit codes" "${out}"
		else
			_svcjpt_ok "$p: sections, SEE ALSO, ENVIRONMENT, sysexits" \
			    "names match src/sysexits.rs"
		fi
	done
	p=man/svcj-tools.7
	: > "${out}"
	for want in mlock netv4 netv6 net_basic net_raw net_all nfsd routing \
	    settime setaudit sysvipc sysvipcnew vmm; do
		grep -q "^\.It Cm ${want} Ta " "$p" ||
		    echo "option table lacks ${want}" >> "${out}"
	done
	for want in "THE HOOK" "NESTED JAILS" EXAMPLES; do
		grep -qx "\.Sh ${want}" "$p" || echo "no section ${want}" >> "${out}"
	done
	grep -q '^command \. /usr/local/etc/rc\.subr\.d/svcj-tools\.sh$' "$p" ||
	    echo "the hook line is not shown" >> "${out}"
	if [ -s "${out}" ]; then
		_svcjpt_notok "$p: option table, hook, nested jails, examples" \
		    "${out}"
	else
		_svcjpt_ok "$p: 13 options, the hook line, nested jails, examples"
	fi
}

# _svcjpt_help_entries
#	Read a clap --help text on stdin; print one line per option entry:
#	"short long", "-" standing for a missing form.
_svcjpt_help_entries()
{
	awk '
	/^ +-/ {
		line = $0
		sub(/^ +/, "", line)
		sub(/  .*/, "", line)		# drop the description
		gsub(/,/, " ", line)
		n = split(line, w, " ")
		s = "-"; l = "-"
		for (i = 1; i <= n; i++) {
			t = w[i]
			sub(/[.=[<].*/, "", t)
			if (t ~ /^--[A-Za-z0-9]/) l = t
			else if (t ~ /^-[A-Za-z0-9]$/) s = t
		}
		if (s != "-" || l != "-") print s, l
	}'
}

# _svcjpt_help_subcommands
#	Read a clap --help text on stdin; print its subcommands but "help".
_svcjpt_help_subcommands()
{
	awk '
	/^[A-Za-z ]*Commands:$/ { in_cmds = 1; next }
	in_cmds && /^$/ { in_cmds = 0 }
	in_cmds && /^  [a-z]/ { if ($1 != "help") print $1 }'
}

# _svcjpt_man_flags page [synopsis-subcommand]
#	Print the flags (one per line) a page documents: those of .Fl in
#	the SYNOPSIS and in list heads (.It lines), and -h/--help/-V/
#	--version anywhere.  Grouped short flags (Fl nqv) are split; "--"
#	alone (end of options) is not a flag.  With a subcommand, print
#	only the flags of its SYNOPSIS line(s).
_svcjpt_man_flags()
{
	awk -v sub_only="${2:-}" '
	function emit(w,   i) {
		gsub(/\\-/, "-", w)
		if (w == "-" || w == "") return
		if (w ~ /^-/) { print "-" w; return }
		if (length(w) > 1 && w ~ /^[A-Za-z0-9]+$/ && !(w ~ /^[A-Z][a-z]+$/)) {
			for (i = 1; i <= length(w); i++)
				print "-" substr(w, i, 1)
			return
		}
		print "-" w
	}
	/^\.Sh / { sect = $2; cur = ""; next }
	!/^\./ { next }
	{
		if (sect == "SYNOPSIS" && $1 == ".Nm") cur = ""
		if (sect == "SYNOPSIS" && $1 == ".Cm") cur = $2
		if (sub_only != "" && (sect != "SYNOPSIS" || cur != sub_only))
			next
		for (i = 1; i < NF; i++) {
			if ($i != "Fl" && $i != ".Fl") continue
			w = $(i + 1)
			if (w ~ /^[A-Z][a-z][a-z]?$/ || w ~ /^[][.,:;()|]$/)
				continue
			f = w
			gsub(/\\-/, "-", f)
			keep = (sect == "SYNOPSIS" || $1 == ".It" ||
			    f == "h" || f == "-help" || f == "V" ||
			    f == "-version")
			if (keep) emit(w)
		}
	}' "$1" | sort -u
}

# _svcjpt_compare_flags tool page helpfile label
#	Every form of every option in helpfile is in the page's flags, and
#	every documented flag is in helpfile.
_svcjpt_compare_flags()
{
	local out

	out="${_svcjpt_tmp}/$1.flags"
	_svcjpt_help_entries < "$3" | tr ' ' '\n' | grep -v '^-$' |
	    sort -u > "${out}.help"
	_svcjpt_man_flags "$2" > "${out}.man"
	{
		comm -23 "${out}.help" "${out}.man" |
		    sed 's/^/in --help, not documented: /'
		comm -13 "${out}.help" "${out}.man" |
		    sed 's/^/documented, not in --help: /'
	} > "${out}.diff"
	if [ -s "${out}.diff" ]; then
		_svcjpt_notok "$4: --help flags vs $2" "${out}.diff"
	else
		_svcjpt_ok "$4: $(wc -l < "${out}.help") flags in --help" \
		    "= .Fl in $2"
	fi
}

# _svcjpt_check_flags
#	Compare each tool's --help with its page; for svcj-check, also each
#	subcommand's --help with its SYNOPSIS line.
_svcjpt_check_flags()
{
	local t sub subs out s l

	for t in ${_svcjpt_tools}; do
		if ! "${_svcjpt_bin}/$t" --help > "${_svcjpt_tmp}/$t.help" 2>&1
		then
			_svcjpt_notok "$t --help fails" "${_svcjpt_tmp}/$t.help"
			continue
		fi
		if [ "$t" != svcj-check ]; then
			_svcjpt_compare_flags "$t" "man/$t.8" \
			    "${_svcjpt_tmp}/$t.help" "$t"
			continue
		fi
		subs="$(_svcjpt_help_subcommands < "${_svcjpt_tmp}/$t.help")"
		if [ -z "${subs}" ]; then
			_svcjpt_notok "svcj-check --help lists no subcommand" \
			    "${_svcjpt_tmp}/$t.help"
			continue
		fi
		cp "${_svcjpt_tmp}/$t.help" "${_svcjpt_tmp}/all.help"
		for sub in ${subs}; do
			out="${_svcjpt_tmp}/check-${sub}"
			if ! "${_svcjpt_bin}/$t" "${sub}" --help > "${out}.help" \
			    2>&1; then
				_svcjpt_notok "svcj-check ${sub} --help fails" \
				    "${out}.help"
				continue
			fi
			cat "${out}.help" >> "${_svcjpt_tmp}/all.help"
			_svcjpt_man_flags man/svcj-check.8 "${sub}" > "${out}.syn"
			: > "${out}.diff"
			if ! grep -q "^\.Cm ${sub}\$" man/svcj-check.8; then
				echo "subcommand ${sub} not in the SYNOPSIS" \
				    >> "${out}.diff"
			fi
			_svcjpt_help_entries < "${out}.help" |
			while read -r s l; do
				case "$s $l" in
				"-h --help"|"-V --version") continue ;;
				esac
				if ! grep -qx -e "$s" -e "$l" "${out}.syn"; then
					echo "in --help, not in SYNOPSIS: $s $l"
				fi
			done >> "${out}.diff"
			_svcjpt_help_entries < "${out}.help" | tr ' ' '\n' |
			    grep -v '^-$' | sort -u > "${out}.helpflags"
			comm -13 "${out}.helpflags" "${out}.syn" |
			    sed 's/^/in SYNOPSIS, not in --help: /' \
			    >> "${out}.diff"
			if [ -s "${out}.diff" ]; then
				_svcjpt_notok "svcj-check ${sub}: --help vs SYNOPSIS" \
				    "${out}.diff"
			else
				_svcjpt_ok "svcj-check ${sub}: --help options =" \
				    "SYNOPSIS"
			fi
		done
		awk '/^\.Nm$/ { getline; if ($1 == ".Cm") print $2 }' \
		    man/svcj-check.8 |
		while read -r sub; do
			if ! echo "${subs}" | grep -qx "${sub}"; then
				echo "${sub}"
			fi
		done > "${_svcjpt_tmp}/extrasubs"
		if [ -s "${_svcjpt_tmp}/extrasubs" ]; then
			_svcjpt_notok "svcj-check.8 documents subcommands --help does not list" \
			    "${_svcjpt_tmp}/extrasubs"
		fi
		_svcjpt_compare_flags svcj-check man/svcj-check.8 \
		    "${_svcjpt_tmp}/all.help" "svcj-check (all subcommands)"
	done
}

# _svcjpt_check_freebsd_build
#	scripts/build-freebsd.sh builds the tools for FreeBSD and checks
#	them; skipped only on explicit request.
_svcjpt_check_freebsd_build()
{
	if [ "${SVCJ_SKIP_FREEBSD_BUILD:-0}" = 1 ]; then
		echo "skipped - FreeBSD build (SVCJ_SKIP_FREEBSD_BUILD=1)"
		return 0
	fi
	if sh scripts/build-freebsd.sh > "${_svcjpt_tmp}/fbsd" 2>&1; then
		_svcjpt_ok "scripts/build-freebsd.sh: three FreeBSD ELF" \
		    "executables"
		grep ': ELF' "${_svcjpt_tmp}/fbsd" | sed 's/^/#   /'
	else
		_svcjpt_notok "scripts/build-freebsd.sh" "${_svcjpt_tmp}/fbsd"
	fi
}

echo "# tests/port/check.sh: port, install layout, man pages"
_svcjpt_check_port_files
_svcjpt_check_crates
_svcjpt_check_mandoc
_svcjpt_check_man_content
if _svcjpt_build; then
	_svcjpt_check_install
	_svcjpt_check_port_targets
	_svcjpt_check_flags
fi
_svcjpt_check_freebsd_build
echo "# ${_svcjpt_passed} passed, ${_svcjpt_failed} failed"
[ "${_svcjpt_failed}" -eq 0 ]
