# lib.sh - what the condmap command's shell tests share.  Sourced by each
# tests/cli/*.sh, never run by itself.  POSIX sh.
#
# Each test counts its checks and failures and ends with `finish`, which
# exits 0 (pass) or 1 (fail); a test that cannot run here exits 77 (skip).

set -u

if [ -z "${CONDMAP_BIN:-}" ] || [ -z "${CONDMAP_TEST_DATA:-}" ]; then
  echo "CONDMAP_BIN and CONDMAP_TEST_DATA are not set: run 'make check'" >&2
  exit 99
fi
C=$CONDMAP_BIN
DATA=$CONDMAP_TEST_DATA
CONFIGS=${CONDMAP_CONFIGS:-}

T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-cli-XXXXXX") || exit 99
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

checks=0
failures=0

fail () {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# check DESCRIPTION COMMAND...: a condition that must hold.
check () {
  what=$1
  shift
  checks=$((checks + 1))
  "$@" || fail "$what"
}

# run STATUS COMMAND...: runs COMMAND with stdout in $T/out and stderr in
# $T/err, and checks its exit status.
run () {
  want=$1
  shift
  checks=$((checks + 1))
  "$@" >"$T/.stdout" 2>"$T/.stderr"
  got=$?
  if [ "$got" != "$want" ]; then
    fail "exit status $got, want $want: $*"
    sed 's/^/  stderr| /' "$T/.stderr"
    sed 's/^/  stdout| /' "$T/.stdout"
  fi
}

# err_has TEXT / out_has TEXT: the last run's stderr / stdout holds TEXT.
err_has () {
  checks=$((checks + 1))
  grep -qF -- "$1" "$T/.stderr" || fail "stderr lacks '$1': $(cat "$T/.stderr")"
}
out_has () {
  checks=$((checks + 1))
  grep -qF -- "$1" "$T/.stdout" || fail "stdout lacks '$1': $(cat "$T/.stdout")"
}

# nothing_left DIR: neither DIR nor a temporary DIR.tmp-* or DIR.old-*
# exists.
nothing_left () {
  checks=$((checks + 1))
  [ ! -e "$1" ] || fail "'$1' was left behind"
  for leftover in "$1".tmp-* "$1".old-*; do
    [ ! -e "$leftover" ] || fail "'$leftover' was left behind"
  done
}

# no_temporaries DIR: no DIR.tmp-* or DIR.old-* next to DIR.
no_temporaries () {
  checks=$((checks + 1))
  for leftover in "$1".tmp-* "$1".old-*; do
    [ ! -e "$leftover" ] || fail "'$leftover' was left behind"
  done
}

# mknpy FILE DESCR SHAPE DATA: a version 1.0 .npy file with header dict
# {'descr': DESCR, 'fortran_order': False, 'shape': SHAPE} and DATA given
# as printf(1) octal escapes.  The header is padded to 64 bytes, as NumPy
# does.
mknpy () {
  dict="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
  while [ $(( (10 + ${#dict} + 1) % 64 )) != 0 ]; do
    dict="$dict "
  done
  len=$((${#dict} + 1))
  # shellcheck disable=SC2059
  printf "\223NUMPY\001\000\\$(printf %o $((len % 256)))\\$(printf %o $((len / 256)))" >"$1"
  printf '%s\n' "$dict" >>"$1"
  # shellcheck disable=SC2059
  printf "$4" >>"$1"
}

# Float32 little-endian values for mknpy.
F32_ONE='\000\000\200\077'
F32_HALF='\000\000\000\077'
F32_MINUS_ONE='\000\000\200\277'
F32_NAN='\000\000\300\177'

# find_numpy: sets PY to a Python 3 that has NumPy, or returns 1.
find_numpy () {
  for PY in "${PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null && return 0
  done
  PY=
  return 1
}

finish () {
  echo "$checks checks, $failures failed"
  [ "$failures" = 0 ] || exit 1
  exit 0
}
