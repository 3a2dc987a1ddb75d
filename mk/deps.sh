#!/bin/sh
# mk/deps.sh check|install — find and install what jtools needs to build and test.
# Build: a C compiler (build-essential), make, libcsv (libcsv-dev), PCRE2 (libpcre2-dev), pkg-config,
# and for compressed inputs zlib (zlib1g-dev), libbz2 (libbz2-dev), liblzma (liblzma-dev), libzstd (libzstd-dev).
# Tests: bats, bats-support, bats-assert, prove (perl), mandoc (man page lint),
# gzip, bzip2, xz and zstd (the tests compress their inputs).
# Time zones: tzdata (the TZif files in /usr/share/zoneinfo that lib/tz.c reads).
# Scale-out test: GNU parallel (tests/scaleout.bats runs the shards with it).
# Peak memory: GNU time, /usr/bin/time -f %M (tests/engine.bats, make bench).
# Report test: headless Chromium (tests/report_html.bats renders make demo's
# page): `install` (make deps) installs it too; `check` (make check's
# deps-if-needed) does not require it, as it is large and the test installs it
# on demand (`sh mk/deps.sh chromium`) or skips saying why.
# Every other command the tests, mk/demo.sh and tests/gen run is in Debian's
# essential set (coreutils, diffutils, findutils, grep, sed, mawk, util-linux,
# perl-base, bash, dash, hostname), or is optional and its tests skip saying
# why: gawk and python3 (independent checks), valgrind (make valgrind-check only).
# Optional, installed where the package manager has them, skipped by the tests
# without them: a one-node Slurm cluster for tests/slurm.bats (slurmctld,
# slurmd, slurm-client and munge; only as root, as the test runs Slurm only
# as root) and PyYAML for the Kubernetes manifests in tests/scaleout.bats
# (python3-yaml). A failed install of these is reported, not fatal.
# Fuzzing (make fuzz only, never make check): clang with libFuzzer's runtime
# (Debian: clang and libclang-rt-dev): `sh mk/deps.sh fuzz-check|fuzz`.
# Benchmark (make bench only): GNU time (Debian: time), `sh mk/deps.sh bench-check|bench`;
# node and npm for its DuckDB comparison, optional.
set -u
mode=${1:-check}
missing=""

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else echo "deps: not root and no sudo: run by hand: $*"; return 1; fi
}

if [ "$mode" = fuzz-check ] || [ "$mode" = fuzz ]; then
	fcc=${FUZZ_CC:-clang}
	tmp=$(mktemp -d) || exit 1
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/t.c"
	links() { "$fcc" -fsanitize=fuzzer,address,undefined -o "$tmp/t" "$tmp/t.c" >/dev/null 2>&1; }
	if links; then
		rm -rf "$tmp"
		echo "deps: $fcc links libFuzzer"
		exit 0
	fi
	echo "deps: $fcc cannot link -fsanitize=fuzzer (clang and its libFuzzer runtime are missing)"
	if [ "$mode" = fuzz-check ]; then rm -rf "$tmp"; exit 1; fi
	if command -v apt-get >/dev/null 2>&1; then
		echo "deps: running: apt-get install -y clang libclang-rt-dev"
		as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-dev
	elif command -v dnf >/dev/null 2>&1; then
		as_root dnf install -y clang compiler-rt
	elif command -v brew >/dev/null 2>&1; then
		brew install llvm && echo "deps: use FUZZ_CC=\$(brew --prefix llvm)/bin/clang"
	else
		echo "deps: no apt-get, dnf or brew here: install clang with its libFuzzer runtime by hand"
	fi
	links; rc=$?
	rm -rf "$tmp"
	exit $rc
fi

# sh mk/deps.sh bench-check|bench (make bench only, never make check): GNU time
# (Debian package time: /usr/bin/time -f %M, the peak RSS of each benchmark).
# The benchmark's DuckDB comparison also wants node and npm; it installs
# its own package (bench/duckdb) and is skipped with a message without them.
if [ "$mode" = bench-check ] || [ "$mode" = bench ]; then
	gnutime() { /usr/bin/time -f %M -o /dev/null true >/dev/null 2>&1; }
	if gnutime; then
		echo "deps: GNU time is installed"
		exit 0
	fi
	echo "deps: GNU time (/usr/bin/time -f) is missing: the bench prints no peak RSS without it"
	[ "$mode" = bench ] || exit 1
	if command -v apt-get >/dev/null 2>&1; then
		echo "deps: running: apt-get install -y time"
		as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
	elif command -v dnf >/dev/null 2>&1; then
		as_root dnf install -y time
	else
		echo "deps: no apt-get or dnf here: install GNU time as /usr/bin/time by hand"
	fi
	gnutime
	exit $?
fi

# sh mk/deps.sh chromium: headless Chromium for the HTML report test
# (make deps runs it; tests/report_html.bats runs it when Chromium is missing).
if [ "$mode" = chromium ]; then
	for b in chromium chromium-browser google-chrome; do
		command -v $b >/dev/null 2>&1 && { echo "deps: $b is installed"; exit 0; }
	done
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	if command -v apt-get >/dev/null 2>&1; then
		echo "deps: running: $sudo apt-get install -y chromium"
		$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
	elif command -v dnf >/dev/null 2>&1; then
		$sudo dnf install -y chromium
	elif command -v brew >/dev/null 2>&1; then
		brew install --cask chromium
	else
		echo "deps: install Chromium by hand"; exit 1
	fi
	exit $?
fi

# make deps: Chromium as well, without failing the build deps when it cannot be had
browser() {
	[ "$mode" = install ] || return 0
	sh "$0" chromium || echo "deps: Chromium could not be installed: tests/report_html.bats will skip its browser checks"
}

have_header() { # header, extra cflags
	printf '%s\n#include <%s>\n' "${3:-}" "$1" | ${CC:-cc} $2 -E -x c - >/dev/null 2>&1
}
command -v "${CC:-cc}" >/dev/null 2>&1 || missing="$missing cc"
pcre_cflags=$(pkg-config --cflags libpcre2-8 2>/dev/null)
have_header csv.h "" || missing="$missing libcsv"
have_header pcre2.h "$pcre_cflags" "#define PCRE2_CODE_UNIT_WIDTH 8" || missing="$missing pcre2"
zip_cflags=$(pkg-config --cflags zlib liblzma libzstd 2>/dev/null)
have_header zlib.h "$zip_cflags" || missing="$missing zlib"
have_header bzlib.h "$zip_cflags" "#include <stdio.h>" || missing="$missing libbz2"
have_header lzma.h "$zip_cflags" || missing="$missing liblzma"
have_header zstd.h "$zip_cflags" || missing="$missing libzstd"
for z in gzip bzip2 xz zstd; do command -v $z >/dev/null 2>&1 || missing="$missing $z"; done
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v bats >/dev/null 2>&1 || missing="$missing bats"
libpath=${BATS_LIB_PATH:-/usr/lib/bats:/usr/local/lib/bats:/opt/homebrew/lib}
found_lib() {
	old_ifs=$IFS; IFS=:
	for d in $libpath; do [ -f "$d/$1/load.bash" ] && { IFS=$old_ifs; return 0; }; done
	IFS=$old_ifs; return 1
}
found_lib bats-support || missing="$missing bats-support"
found_lib bats-assert || missing="$missing bats-assert"
command -v prove >/dev/null 2>&1 || missing="$missing prove"
command -v mandoc >/dev/null 2>&1 || missing="$missing mandoc"
[ -f /usr/share/zoneinfo/America/New_York ] || missing="$missing tzdata"
command -v parallel >/dev/null 2>&1 || missing="$missing parallel"
[ -x /usr/bin/time ] || missing="$missing time"	# GNU time: peak memory in tests/engine.bats and make bench

optional=""
if command -v apt-get >/dev/null 2>&1 || command -v dnf >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		for p in munged slurmctld slurmd sbatch; do
			command -v $p >/dev/null 2>&1 || [ -x /usr/sbin/$p ] || { optional="$optional slurm"; break; }
		done
	fi
	if ! python3 -c 'import yaml' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import yaml' >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && optional="$optional pyyaml"
	fi
fi

# install_optional: the optional packages, one attempt, never fatal
install_optional() {
	[ -n "$optional" ] || return 0
	opkgs=""
	if command -v apt-get >/dev/null 2>&1; then
		for m in $optional; do case $m in
			slurm) opkgs="$opkgs slurmctld slurmd slurm-client munge";; pyyaml) opkgs="$opkgs python3-yaml";; esac; done
		echo "deps: running: $sudo apt-get install -y --no-install-recommends$opkgs (optional)"
		{ $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $opkgs; } ||
			echo "deps: could not install the optional$opkgs: the tests that need them skip"
	else
		for m in $optional; do case $m in
			slurm) opkgs="$opkgs slurm slurm-slurmctld slurm-slurmd munge";; pyyaml) opkgs="$opkgs python3-pyyaml";; esac; done
		echo "deps: running: $sudo dnf install -y$opkgs (optional)"
		$sudo dnf install -y $opkgs || echo "deps: could not install the optional$opkgs: the tests that need them skip"
	fi
	return 0
}

if [ -z "$missing$optional" ]; then
	echo "deps: everything is installed"
	browser
	exit 0
fi
[ -z "$missing" ] || echo "deps: missing:$missing"
[ -z "$optional" ] || echo "deps: missing (optional):$optional"
[ "$mode" = install ] || exit 1

sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 && sudo="sudo" || { echo "deps: not root and no sudo: install the packages above by hand"; exit 1; }
fi
if [ -z "$missing" ]; then
	install_optional
	browser
	exit 0
fi
pkgs=""
if command -v apt-get >/dev/null 2>&1; then
	for m in $missing; do case $m in
		cc) pkgs="$pkgs build-essential";; libcsv) pkgs="$pkgs libcsv-dev";; pcre2) pkgs="$pkgs libpcre2-dev";;
		pkg-config) pkgs="$pkgs pkg-config";; bats) pkgs="$pkgs bats";;
		bats-support) pkgs="$pkgs bats-support";; bats-assert) pkgs="$pkgs bats-assert";;
		prove) pkgs="$pkgs perl";; mandoc) pkgs="$pkgs mandoc";; tzdata) pkgs="$pkgs tzdata";;
		parallel) pkgs="$pkgs parallel";; time) pkgs="$pkgs time";;
		zlib) pkgs="$pkgs zlib1g-dev";; libbz2) pkgs="$pkgs libbz2-dev";; liblzma) pkgs="$pkgs liblzma-dev";;
		libzstd) pkgs="$pkgs libzstd-dev";; gzip) pkgs="$pkgs gzip";; bzip2) pkgs="$pkgs bzip2";;
		xz) pkgs="$pkgs xz-utils";; zstd) pkgs="$pkgs zstd";; esac; done
	echo "deps: running: $sudo apt-get update && $sudo apt-get install -y$pkgs"
	$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $pkgs || exit 1
elif command -v dnf >/dev/null 2>&1; then
	for m in $missing; do case $m in
		cc) pkgs="$pkgs gcc make";; libcsv) pkgs="$pkgs libcsv-devel";; pcre2) pkgs="$pkgs pcre2-devel";;
		pkg-config) pkgs="$pkgs pkgconf-pkg-config";; bats) pkgs="$pkgs bats";;
		bats-support|bats-assert) pkgs="$pkgs bats";; prove) pkgs="$pkgs perl-Test-Harness";;
		mandoc) pkgs="$pkgs mandoc";; tzdata) pkgs="$pkgs tzdata";; parallel) pkgs="$pkgs parallel";;
		time) pkgs="$pkgs time";;
		zlib) pkgs="$pkgs zlib-devel";; libbz2) pkgs="$pkgs bzip2-devel";; liblzma) pkgs="$pkgs xz-devel";;
		libzstd) pkgs="$pkgs libzstd-devel";; gzip) pkgs="$pkgs gzip";; bzip2) pkgs="$pkgs bzip2";;
		xz) pkgs="$pkgs xz";; zstd) pkgs="$pkgs zstd";; esac; done
	echo "deps: running: $sudo dnf install -y$pkgs"
	$sudo dnf install -y $pkgs || exit 1
elif command -v brew >/dev/null 2>&1; then
	for m in $missing; do case $m in
		libcsv) pkgs="$pkgs libcsv";; pcre2) pkgs="$pkgs pcre2";;
		pkg-config) pkgs="$pkgs pkg-config";; bats) pkgs="$pkgs bats-core";;
		bats-support) pkgs="$pkgs bats-core/bats-core/bats-support";;
		bats-assert) pkgs="$pkgs bats-core/bats-core/bats-assert";;
		prove) pkgs="$pkgs perl";; mandoc) pkgs="$pkgs mandoc";; parallel) pkgs="$pkgs parallel";;
		time) pkgs="$pkgs gnu-time";;
		zlib) pkgs="$pkgs zlib";; libbz2|bzip2) pkgs="$pkgs bzip2";; liblzma|xz) pkgs="$pkgs xz";;
		libzstd|zstd) pkgs="$pkgs zstd";; esac; done
	echo "deps: running: brew install$pkgs"
	brew install $pkgs || exit 1
else
	echo "deps: no apt-get, dnf or brew here: install$missing by hand"
	exit 1
fi
rc=$?
install_optional
browser
exit $rc
