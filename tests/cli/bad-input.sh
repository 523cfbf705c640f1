#!/bin/sh
# bad-input.sh - every class of bad input gets its own clear message, exit
# status 1, and leaves no output directory, not even a temporary one.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99

# refused WEIGHTS MESSAGE...: convert WEIGHTS fails with each MESSAGE on
# stderr, and nothing is left behind.
refused () {
  weights=$1
  shift
  run 1 "$C" convert -q "$weights" -o out
  for message in "$@"; do
    err_has "$message"
  done
  nothing_left out
}

mknpy nan.npy '<f4' '(2, 2)' "$F32_ONE$F32_HALF$F32_NAN$F32_MINUS_ONE"
refused nan.npy "element 2" "NaN"
mknpy inf.npy '<f8' '(3,)' '\000\000\000\000\000\000\360\077\000\000\000\000\000\000\360\177\000\000\000\000\000\000\000\000'
refused inf.npy "element 1" "finite"
mknpy empty.npy '<f4' '(0,)' ''
refused empty.npy "empty"
mknpy empty2.npy '<f8' '(3, 0)' ''
refused empty2.npy "empty"
refused missing.npy "missing.npy" "No such file"
mknpy truncated.npy '<f4' '(100,)' "$F32_ONE$F32_HALF"
refused truncated.npy "truncated.npy" "truncated"
head -c 30 nan.npy >cut-header.npy
refused cut-header.npy "cut-header.npy"
echo 'not numpy at all' >text.npy
refused text.npy "text.npy" "not a .npy file"
mknpy strings.npy '<U1' '(2,)' 'a\000\000\000b\000\000\000'
refused strings.npy "strings.npy" "<U1"
mknpy ints.npy '<i4' '(1,)' '\001\000\000\000'
refused ints.npy "ints.npy" "<i4"
printf '1, 2, 3\n4, 5, x7\n' >bad-cell.csv
refused bad-cell.csv "bad-cell.csv:2" "column 3" "x7"
printf '1, 2, 3\n4, 5\n' >ragged.csv
refused ragged.csv "ragged.csv:2"
printf '1, nan\n' >nan.csv
refused nan.csv "element 1"
: >empty.csv
refused empty.csv "empty.csv"
mkdir adir
refused adir "adir"

# A config that is refused: nothing written either.
run 1 "$C" convert -c "$DATA/invalid/gmin-ge-gmax.yaml" "$DATA/dual-pair-1-3/weights.npy" -o out
err_has "gmin-ge-gmax.yaml"
nothing_left out
run 1 "$C" convert -c no-such.yaml "$DATA/dual-pair-1-3/weights.npy" -o out
err_has "no-such.yaml"
nothing_left out

# check reports the same input errors, exit 1.
run 1 "$C" check -c "$CONFIGS/single-pair.yaml" nan.npy
err_has "NaN"
run 1 "$C" check -c "$CONFIGS/single-pair.yaml" bad-cell.csv
err_has "column 3"

finish
