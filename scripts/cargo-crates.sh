#!/bin/sh
#
# cargo-crates.sh [CARGO_LOCK]
#	Print the CARGO_CRATES block of the FreeBSD port, derived from
#	CARGO_LOCK (default: the repository's Cargo.lock), in the format
#	the ports framework's "make cargo-crates" prints, so that the port's
#	Makefile.crates can be kept in sync without a FreeBSD machine:
#
#	scripts/cargo-crates.sh > ports/sysutils/svcj-tools/Makefile.crates
#
#	Format (facts taken from Mk/Uses/cargo.mk and its awk helper):
#	- one "name-version" word per crate whose source is the crates.io
#	  registry, in Cargo.lock order (cargo keeps [[package]] sorted);
#	- then one word per git source, "name[,name...]@<source>" with the
#	  "#" of the source escaped as "\#" (make would read it as a comment);
#	  the framework emits git sources in awk hash order, we emit them in
#	  order of first appearance, which is stable;
#	- packages without a source (the workspace itself) and other
#	  registries are left out;
#	- the first word follows "CARGO_CRATES=<TAB>", the others are
#	  indented with two tabs; every line but the last ends in " \".
#	An empty list prints nothing, as the framework does.
#
#	Exit status: 0; 64 (EX_USAGE) on bad arguments; 66 (EX_NOINPUT) when
#	the lock file cannot be read; 65 (EX_DATAERR) when it holds no
#	[[package]] entry.

set -eu

_svcjcc_usage()
{
	echo "usage: ${0##*/} [CARGO_LOCK]" >&2
	exit 64
}

case "${1-}" in
-h|--help)
	echo "usage: ${0##*/} [CARGO_LOCK]"
	exit 0
	;;
-*)
	_svcjcc_usage
	;;
esac
[ $# -le 1 ] || _svcjcc_usage

if [ $# -eq 1 ]; then
	_svcjcc_lock="$1"
else
	_svcjcc_lock="$(cd "$(dirname "$0")/.." && pwd)/Cargo.lock"
fi

if [ ! -r "${_svcjcc_lock}" ] || [ -d "${_svcjcc_lock}" ]; then
	echo "${0##*/}: cannot read ${_svcjcc_lock}: give the path of a" \
	    "Cargo.lock (run 'cargo generate-lockfile' to create one)" >&2
	exit 66
fi
if ! grep -q '^\[\[package\]\]$' "${_svcjcc_lock}"; then
	echo "${0##*/}: ${_svcjcc_lock}: no [[package]] entry: not a" \
	    "Cargo.lock file" >&2
	exit 65
fi

awk '
# unquote(s): the value of a TOML basic string "..." as found in Cargo.lock
function unquote(s) {
	sub(/^"/, "", s)
	sub(/"$/, "", s)
	return s
}

# flush(): record the [[package]] entry read so far, then forget it
function flush() {
	if (src == "registry+https://github.com/rust-lang/crates.io-index") {
		words[nwords++] = name "-" version
	} else if (src ~ /^git\+/) {
		if (!(src in gitnames)) {
			gitorder[ngit++] = src
			gitnames[src] = name
		} else {
			gitnames[src] = gitnames[src] "," name
		}
	}
	name = ""
	version = ""
	src = ""
}

/^\[\[package\]\]$/ { flush(); inpkg = 1; next }
/^\[/ { flush(); inpkg = 0; next }
inpkg && /^name = "/ { name = unquote($3); next }
inpkg && /^version = "/ { version = unquote($3); next }
inpkg && /^source = "/ { src = unquote($3); next }

END {
	flush()
	for (i = 0; i < ngit; i++) {
		s = gitorder[i]
		gsub(/#/, "\\#", s)
		words[nwords++] = gitnames[gitorder[i]] "@" s
	}
	lead = "CARGO_CRATES="
	for (i = 0; i < nwords; i++) {
		tail = (i == nwords - 1) ? "" : " \\"
		printf "%s\t%s%s\n", lead, words[i], tail
		lead = "\t"
	}
}
' "${_svcjcc_lock}"
