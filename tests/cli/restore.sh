#!/bin/sh
# restore.sh - what restore refuses: plane names that leave OUTDIR, a
# newer sidecar, planes of another shape or dtype, missing planes.  Each
# exits 1 naming the problem and writes no weights.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
W=$DATA/dual-pair-1-3/weights.npy
run 0 "$C" convert -q -c "$DATA/dual-pair-1-3/config.yaml" "$W" -o out || exit 99
cp out/params.yaml good.yaml

# edit SED-EXPRESSION: a fresh copy of the sidecar, edited.
edit () {
  sed "$1" good.yaml >out/params.yaml
}

# A plane outside OUTDIR is refused, even when the file exists there.
cp out/g_plus_0.npy x.npy
edit 's#^planes: \[g_plus_0.npy,#planes: [../x.npy,#'
run 1 "$C" restore out
err_has "out/params.yaml:7"
err_has "'../x.npy'"
err_has "not a plain file name"
check "no restored.npy" [ ! -e out/restored.npy ]
edit 's#^planes: \[g_plus_0.npy,#planes: [/etc/passwd,#'
run 1 "$C" restore out
err_has "'/etc/passwd'"
edit 's#^planes: \[g_plus_0.npy,#planes: [sub/g.npy,#'
run 1 "$C" restore out
err_has "'sub/g.npy'"
edit 's#^planes: \[g_plus_0.npy,#planes: [..,#'
run 1 "$C" restore out
err_has "not a plain file name"

# A sidecar of a newer format, or one broken by hand.
edit 's#^format: condmap-params/1#format: condmap-params/3#'
run 1 "$C" restore out
err_has "written by a newer condmap (format 3); this one reads up to 2: upgrade condmap"
edit 's#^dtype: float32#dtype: int8#'
run 1 "$C" restore out
err_has "out/params.yaml:5"
edit '/^shape:/d'
run 1 "$C" restore out
err_has "'shape' is missing"
edit 's#^params: .*#params: {scale_ratio: .nan}#'
run 1 "$C" restore out
err_has "finite"
edit '$a\
extra: 1'
run 1 "$C" restore out
err_has "unknown key 'extra'"
edit 's#^planes: \[g_plus_0.npy, #planes: [#'
run 1 "$C" restore out
err_has "lists 3 files, but converter dual-pair has 4 planes"
check "no restored.npy" [ ! -e out/restored.npy ]

# Planes that do not fit the record.
cp good.yaml out/params.yaml
cp out/g_plus_1.npy keep.npy
mknpy out/g_plus_1.npy '<f4' '(2,)' "$F32_ONE$F32_HALF"
run 1 "$C" restore out
err_has "g_plus_1.npy' has shape (2,), but out/params.yaml records (10, 35)"
ones=
i=0
while [ $i -lt 350 ]; do ones="$ones$F32_ONE"; i=$((i + 1)); done
mknpy out/g_plus_1.npy '<f4' '(35, 10)' "$ones"
run 1 "$C" restore out
err_has "(35, 10)"
"$C" convert -q -c "$DATA/dual-pair-1-3/config.yaml" "$DATA/n-pair-f64/weights.npy" -o f64 2>/dev/null
if [ -f f64/g_plus_0.npy ]; then
  cp f64/g_plus_0.npy out/g_plus_1.npy
  run 1 "$C" restore out
  err_has "g_plus_1.npy' is float64, but out/params.yaml records float32"
fi
rm out/g_plus_1.npy
run 1 "$C" restore out
err_has "g_plus_1.npy"
check "no restored.npy" [ ! -e out/restored.npy ]

# Back as it was: restore works again.
cp keep.npy out/g_plus_1.npy
run 0 "$C" restore out
check "restored.npy written" [ -s out/restored.npy ]

finish
