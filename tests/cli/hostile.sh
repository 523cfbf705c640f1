#!/bin/sh
# hostile.sh - input built to break parsers: each gets a clear error and
# exit status 1, never a crash (a signal would give 128+N), and nothing is
# left behind.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 99
W=$DATA/dual-pair-1-3/weights.npy

# A list nested 20,000 deep: refused at the depth limit, no stack overflow.
{
  printf 'converter: single-pair\ng_max: '
  i=0; while [ $i -lt 20000 ]; do printf '['; i=$((i + 1)); done
  i=0; while [ $i -lt 20000 ]; do printf ']'; i=$((i + 1)); done
  printf '\n'
} >deep.yaml
run 1 "$C" check -c deep.yaml
err_has "nested deeper than"
run 1 "$C" convert -c deep.yaml "$W" -o out
nothing_left out

# A 100 MB scalar: refused as a value, in bounded time and memory.
{ printf 'converter: single-pair\ng_max: '; head -c 100000000 /dev/zero | tr '\0' 'x'; printf '\n'; } >huge.yaml
run 1 "$C" check -c huge.yaml
err_has "'g_max' must be a number"

# An alias bomb: refused at the first anchor, never expanded.
run 1 "$C" check -c "$DATA/invalid/alias-bomb.yaml"
err_has "anchors and aliases are not allowed"

# A .npy shape whose element count overflows 64 bits.
mknpy overflow.npy '<f4' '(4294967296, 4294967296, 4294967296)' "$F32_ONE"
run 1 "$C" convert overflow.npy -o out
err_has "too large"
nothing_left out

# A .npy whose header claims far more data than the file holds.
mknpy liar.npy '<f4' '(4096, 4096)' "$F32_ONE$F32_HALF"
run 1 "$C" convert liar.npy -o out
err_has "truncated"
nothing_left out

# A header length pointing past the end of the file.
printf '\223NUMPY\001\000\377\177{' >hlen.npy
run 1 "$C" convert hlen.npy -o out
err_has "hlen.npy"
nothing_left out

# A sidecar naming a plane of another shape.
run 0 "$C" convert -q -c "$DATA/dual-pair-1-3/config.yaml" "$W" -o good
mknpy good/g_minus_1.npy '<f4' '(2,)' "$F32_ONE$F32_HALF"
run 1 "$C" restore good -o w.npy
err_has "g_minus_1.npy"
check "no w.npy" [ ! -e w.npy ]

finish
