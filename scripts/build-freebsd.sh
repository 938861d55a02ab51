#!/bin/sh
#
# build-freebsd.sh [-n] [--stage DIR]
#	Build release binaries of svcj-exec, svcj-kill and svcj-check for
#	x86_64-unknown-freebsd on Linux, with cargo-zigbuild (zig provides
#	the linker and FreeBSD's libc stubs, so no FreeBSD sysroot is
#	needed), then check with file(1) that each one is an x86-64 FreeBSD
#	ELF executable (and with readelf(1), when present, that it links
#	FreeBSD's libc.so.7) and print its path.
#
#	Missing tools are installed when possible: the rust target with
#	rustup, ziglang and cargo-zigbuild from PyPI with pip, file(1) with
#	apt-get (as root).  -n installs nothing and fails instead.
#	--stage DIR also runs "make install" of the FreeBSD binaries into
#	DIR (PREFIX=/usr/local), a tree that can be copied to a FreeBSD host.
#
#	Exit status: 0 when the three executables are good; 64 (EX_USAGE)
#	on bad arguments; 69 (EX_UNAVAILABLE) when a needed tool is missing
#	and cannot be installed; 70 (EX_SOFTWARE) when the build fails or an
#	output is not a FreeBSD executable.

set -u

_svcjfb_target=x86_64-unknown-freebsd
_svcjfb_tools="svcj-exec svcj-kill svcj-check"
_svcjfb_noinstall=0
_svcjfb_stage=

# _svcjfb_usage
#	Print the usage on stderr and exit 64.
_svcjfb_usage()
{
	echo "usage: ${0##*/} [-n] [--stage DIR]" >&2
	exit 64
}

# _svcjfb_die code message
#	Print message on stderr and exit with code.
_svcjfb_die()
{
	local code

	code="$1"
	shift
	echo "${0##*/}: $*" >&2
	exit "${code}"
}

# _svcjfb_need what fix
#	Fail with 69 when installing is disabled; otherwise say what is
#	about to be installed.
_svcjfb_need()
{
	if [ "${_svcjfb_noinstall}" = 1 ]; then
		_svcjfb_die 69 "$1 is missing; install it with: $2"
	fi
	echo "${0##*/}: $1 is missing, installing it: $2" >&2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-n)
		_svcjfb_noinstall=1
		;;
	--stage)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			_svcjfb_usage
		fi
		_svcjfb_stage="$2"
		shift
		;;
	-h|--help)
		echo "usage: ${0##*/} [-n] [--stage DIR]"
		exit 0
		;;
	*)
		_svcjfb_usage
		;;
	esac
	shift
done

cd "$(dirname "$0")/.." || _svcjfb_die 70 "cannot enter the source tree"

command -v cargo > /dev/null 2>&1 ||
    _svcjfb_die 69 "cargo is missing: install a Rust toolchain (rustup)"

if command -v rustup > /dev/null 2>&1 &&
    ! rustup target list --installed | grep -qx "${_svcjfb_target}"; then
	_svcjfb_need "rust target ${_svcjfb_target}" \
	    "rustup target add ${_svcjfb_target}"
	rustup target add "${_svcjfb_target}" ||
	    _svcjfb_die 69 "rustup target add ${_svcjfb_target} failed"
fi

if ! command -v cargo-zigbuild > /dev/null 2>&1 ||
    ! python3 -c 'import ziglang' > /dev/null 2>&1; then
	_svcjfb_need "cargo-zigbuild or ziglang" \
	    "python3 -m pip install ziglang cargo-zigbuild"
	python3 -m pip install --quiet ziglang cargo-zigbuild ||
	    _svcjfb_die 69 "pip install ziglang cargo-zigbuild failed"
	hash -r 2> /dev/null
	command -v cargo-zigbuild > /dev/null 2>&1 ||
	    _svcjfb_die 69 "cargo-zigbuild installed but not on PATH" \
	    "($(python3 -m site --user-base 2> /dev/null)/bin?)"
fi

if ! command -v file > /dev/null 2>&1; then
	_svcjfb_need "file(1)" "apt-get install file"
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1; then
		apt-get install -y -q file > /dev/null ||
		    _svcjfb_die 69 "apt-get install file failed"
	else
		_svcjfb_die 69 "file(1) is missing: install the 'file' package"
	fi
fi

echo "${0##*/}: cargo zigbuild --release --target ${_svcjfb_target}" >&2
cargo zigbuild --release --bins --target "${_svcjfb_target}" ||
    _svcjfb_die 70 "cargo zigbuild failed"

_svcjfb_dir="${CARGO_TARGET_DIR:-target}/${_svcjfb_target}/release"
_svcjfb_bad=0
for _svcjfb_t in ${_svcjfb_tools}; do
	_svcjfb_f="${_svcjfb_dir}/${_svcjfb_t}"
	if [ ! -f "${_svcjfb_f}" ]; then
		echo "${0##*/}: ${_svcjfb_f}: not built" >&2
		_svcjfb_bad=1
		continue
	fi
	_svcjfb_desc="$(file -b "${_svcjfb_f}")"
	echo "${_svcjfb_f}: ${_svcjfb_desc}"
	if ! echo "${_svcjfb_desc}" | grep -Eq \
	    '^ELF 64-bit LSB (pie )?executable, x86-64,.*FreeBSD'; then
		echo "${0##*/}: ${_svcjfb_f}: not an x86-64 FreeBSD ELF" \
		    "executable" >&2
		_svcjfb_bad=1
	fi
	# It must link against FreeBSD's libc (zig's stubs resolve there).
	if command -v readelf > /dev/null 2>&1 &&
	    ! readelf -d "${_svcjfb_f}" | grep -q 'NEEDED.*\[libc\.so\.7\]'; then
		echo "${0##*/}: ${_svcjfb_f}: does not link libc.so.7" >&2
		_svcjfb_bad=1
	fi
done
[ "${_svcjfb_bad}" = 0 ] || exit 70

if [ -n "${_svcjfb_stage}" ]; then
	make -s install DESTDIR="${_svcjfb_stage}" PREFIX=/usr/local \
	    BINDIR_SRC="${_svcjfb_dir}" ||
	    _svcjfb_die 70 "make install into ${_svcjfb_stage} failed"
	echo "staged: ${_svcjfb_stage}/usr/local"
fi
exit 0
