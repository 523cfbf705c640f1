#!/bin/sh
# convert.sh - convert and restore end to end (without NumPy): the files
# written, the summary, the default converter, an existing OUTDIR with and
# without --force, and output that cannot be written.
. "$(dirname "$0")/lib.sh"

W=$DATA/dual-pair-1-3/weights.npy
CFG=$DATA/dual-pair-1-3/config.yaml
cd "$T" || exit 99

# A conversion: one file per plane and the sidecar, nothing else.
run 0 "$C" convert -c "$CFG" "$W" -o out
out_has "4 planes"
out_has "shape (10, 35)"
out_has "float32"
out_has "scale_ratio"
check "exactly the planes and params.yaml" \
  [ "$(ls out | tr '\n' ' ')" = "g_minus_0.npy g_minus_1.npy g_plus_0.npy g_plus_1.npy params.yaml " ]
check "sidecar format line" grep -qx 'format: condmap-params/1' out/params.yaml
check "sidecar converter" grep -qx 'converter: dual-pair' out/params.yaml
check "sidecar config" grep -qx 'config: {g_min: 0, g_max: 25, f_lst: \[1, 3\]}' out/params.yaml
check "sidecar planes" grep -qx 'planes: \[g_plus_0.npy, g_minus_0.npy, g_plus_1.npy, g_minus_1.npy\]' out/params.yaml
no_temporaries out

# restore: default output, then -o, then CSV output.
run 0 "$C" restore out
out_has "out/restored.npy"
check "restored.npy written" [ -s out/restored.npy ]
run 0 "$C" restore out -o w.npy -q
check "-q prints nothing" [ ! -s "$T/.stdout" ]
check "w.npy written" [ -s w.npy ]
check "same weights both times" cmp -s w.npy out/restored.npy
run 0 "$C" restore out -o w.csv
check "w.csv has 10 rows" [ "$(grep -c . w.csv)" = 10 ]

# The restored weights convert to the same planes (check agrees).
run 0 "$C" check -c "$CFG" out/restored.npy
out_has "round trip"

# Without -c: single-pair with aihwkit's defaults, said on stderr.
run 0 "$C" convert "$W" -o def
err_has "no -c CONFIG given: using single-pair with aihwkit's defaults (g_min 0, g_max 25 µS)"
check "two planes" [ -f def/g_plus_0.npy ] && [ -f def/g_minus_0.npy ]
check "single-pair sidecar" grep -qx 'converter: single-pair' def/params.yaml

# Every shipped config converts and restores.
for cfg in "$CONFIGS"/*.yaml; do
  [ -f "$cfg" ] || continue
  name=$(basename "$cfg" .yaml)
  run 0 "$C" convert -q -c "$cfg" "$W" -o "cfg-$name"
  run 0 "$C" restore -q "cfg-$name"
  check "$name: restored" [ -s "cfg-$name/restored.npy" ]
done
check "single-device writes g.npy" [ -f cfg-single-device/g.npy ]

# An existing OUTDIR: refused before any work, and left untouched.
mkdir keep && echo precious >keep/notes.txt
run 1 "$C" convert -c "$CFG" "$W" -o keep
err_has "'keep' exists: use --force"
check "existing OUTDIR untouched" [ "$(ls keep)" = notes.txt ]
check "existing contents untouched" grep -qx precious keep/notes.txt
no_temporaries keep
# Refused before the weights are even read.
run 1 "$C" convert -c "$CFG" no-such.npy -o keep
err_has "use --force"
# A file in the way is not replaced, even with --force.
echo file >afile
run 1 "$C" convert --force "$W" -o afile
err_has "not a directory"
check "file untouched" grep -qx file afile

# --force: replaced by a complete new OUTDIR, the old one gone.
run 0 "$C" convert --force -c "$CFG" "$W" -o keep/
check "old contents gone" [ ! -e keep/notes.txt ]
check "new OUTDIR complete" [ -f keep/params.yaml ] && [ -f keep/g_minus_1.npy ]
no_temporaries keep
# --force with a failing conversion leaves the old OUTDIR as it was.
echo marker >keep/marker
run 1 "$C" convert --force -c "$CFG" no-such.npy -o keep
check "old OUTDIR kept on failure" [ -f keep/marker ] && [ -f keep/params.yaml ]
no_temporaries keep

# CSV holds 1-D and 2-D only: a 4-D input cannot become CSV planes.
mknpy w4.npy '<f4' '(1, 1, 1, 2)' "$F32_ONE$F32_HALF"
run 1 "$C" convert --format csv w4.npy -o csv4
err_has "CSV holds 1-D and 2-D"
nothing_left csv4
run 0 "$C" convert w4.npy -o npy4
run 1 "$C" restore npy4 -o r4.csv
err_has "CSV holds 1-D and 2-D"
check "no r4.csv" [ ! -e r4.csv ]

# A destination that cannot be written: nothing is left anywhere.  Root
# ignores permission bits, so use paths no one can create.
run 1 "$C" convert "$W" -o /dev/null/out
err_has "/dev/null/out"
run 1 "$C" convert "$W" -o /proc/condmap-test-out
nothing_left /proc/condmap-test-out
if [ "$(id -u)" != 0 ]; then
  mkdir ro && chmod 555 ro
  run 1 "$C" convert "$W" -o ro/out
  err_has "ro"
  check "read-only parent stays empty" [ -z "$(ls -A ro)" ]
  chmod 755 ro
fi
# restore into a directory that cannot be written.
run 1 "$C" restore out -o /dev/null/w.npy
run 1 "$C" restore no-such-dir
err_has "no-such-dir/params.yaml"

finish
