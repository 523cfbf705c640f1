#!/bin/sh
# plot.sh - condmap plot from the command line: the three forms, the format
# by extension, the same SVG bytes twice, and bad input: a clear error,
# exit status 1, and no output file, not even a temporary one (an existing
# picture is left as it was).  What is drawn is checked by test-plot.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
CFG=$DATA/dual-pair-1-3/config.yaml
W=$DATA/dual-pair-1-3/weights.npy

run 0 "$C" plot --help
out_has "condmap plot"
out_has "Examples:"
out_has ".png"
run 2 "$C" plot
err_has "nothing to draw"
run 2 "$C" plot -c "$CFG" "$W" extra
err_has "unexpected argument 'extra'"
run 2 "$C" plot --no-such-option
err_has "Try 'condmap plot --help'"

# A condmap built without cairo and pango says so, and draws nothing.
if "$C" --version | grep -q '^plots: not built'; then
  run 1 "$C" plot -c "$CFG"
  err_has "plot was not built"
  err_has "libcairo2-dev"
  check "no scheme.png" [ ! -e scheme.png ]
  finish
fi
run 0 "$C" --version
out_has "plots: cairo "

# is_format FILE MAGIC: FILE starts with MAGIC (printf(1) escapes).
is_format () {
  checks=$((checks + 1))
  # shellcheck disable=SC2059
  printf "$2" >"$T/.magic"
  n=$(wc -c <"$T/.magic")
  head -c "$n" "$1" 2>/dev/null | cmp -s - "$T/.magic" || fail "$1 does not start with $2"
}

# no_file PATH: neither PATH nor a temporary .NAME.XXXXXX beside it.
no_file () {
  checks=$((checks + 1))
  [ ! -e "$1" ] || fail "'$1' was written"
  for leftover in "$(dirname "$1")"/."$(basename "$1")".*; do
    [ ! -e "$leftover" ] || fail "'$leftover' was left behind"
  done
}

# The curves, by default into scheme.png.
run 0 "$C" plot -c "$CFG"
out_has "scheme.png: the 4 planes of dual-pair"
is_format scheme.png '\211PNG\r\n\032\n'
run 0 "$C" plot -q -c "$CFG" -o curves.svg
check "-q prints nothing" [ ! -s "$T/.stdout" ]
is_format curves.svg '<?xml'
run 0 "$C" plot -q -c "$CFG" -o curves.PDF
is_format curves.PDF '%%PDF-'
run 0 "$C" plot -q -c "$CFG" -o again.svg
check "the same SVG bytes twice" cmp -s curves.svg again.svg
run 0 "$C" plot -q -c "$CFG" --title "Other" -o titled.svg
differ () { ! cmp -s "$1" "$2"; }
check "--title changes the picture" differ curves.svg titled.svg

# With a layer: .npy or CSV weights.
run 0 "$C" plot -c "$CFG" "$W" -o layer.png
out_has "with histograms of $W"
is_format layer.png '\211PNG'
printf '0.5, -1, 0.25\n1, 0, -0.75\n' >w.csv
run 0 "$C" plot -q -c "$CFG" w.csv -o csv.svg
is_format csv.svg '<?xml'

# An existing conversion, from its OUTDIR.
run 0 "$C" convert -q -c "$CFG" "$W" -o out
run 0 "$C" plot out -o outdir.svg
out_has "the 4 planes of dual-pair in out"
is_format outdir.svg '<?xml'

# Bad input.  An existing picture stays as it was.
printf 'old' >keep.png
run 1 "$C" plot -c "$CFG" -o x.jpg
err_has "x.jpg"
err_has "name the file *.png, *.svg or *.pdf"
no_file x.jpg
run 1 "$C" plot -c "$CFG" -o noext
err_has "name the file"
no_file noext
run 1 "$C" plot -c "$CFG" -o nodir/x.png
err_has "cannot write 'nodir/x.png'"
no_file nodir/x.png
mkdir dir.png
run 1 "$C" plot -c "$CFG" -o dir.png
err_has "cannot write 'dir.png'"
no_file .dir.png.tmp
check "dir.png still a directory" [ -d dir.png ]
for leftover in .dir.png.*; do
  check "no temporary $leftover" [ ! -e "$leftover" ]
done
run 1 "$C" plot -c missing.yaml -o keep.png
err_has "missing.yaml"
check "keep.png unchanged" [ "$(cat keep.png)" = old ]
printf 'converter: dual-pair\nf_lst: [1, 3]\ng_mxa: 5\n' >typo.yaml
run 1 "$C" plot -c typo.yaml -o keep.png
err_has "typo.yaml"
err_has "g_mxa"
check "keep.png unchanged" [ "$(cat keep.png)" = old ]
printf 'converter: no-such-converter\n' >unknown.yaml
run 1 "$C" plot -c unknown.yaml -o new.png
err_has "no-such-converter"
no_file new.png
mknpy nan.npy '<f4' '(2, 2)' "$F32_ONE$F32_HALF$F32_NAN$F32_MINUS_ONE"
run 1 "$C" plot -c "$CFG" nan.npy -o keep.png
err_has "element 2"
check "keep.png unchanged" [ "$(cat keep.png)" = old ]
run 1 "$C" plot -c "$CFG" missing.npy -o new.png
err_has "missing.npy"
no_file new.png
run 1 "$C" plot no-such-outdir -o new.png
err_has "no-such-outdir/params.yaml"
no_file new.png
rm out/g_minus_1.npy
run 1 "$C" plot out -o new.png
err_has "g_minus_1.npy"
no_file new.png


# Error budgets: several schemes on one device model, one line each.
DEV=$CONDMAP_SRC_DIR/configs/devices/pcm-like.yaml
SP=$CONDMAP_SRC_DIR/configs/single-pair.yaml
DP=$CONDMAP_SRC_DIR/configs/dual-pair.yaml
run 0 "$C" plot -c "$SP" -c "$DP" --device "$DEV" --trials 2 --time 0,1d \
  "$W" -o budget.png
out_has "the error budget of 2 schemes"
check "budget.png is a PNG" [ "$(head -c 4 budget.png | tail -c 3)" = PNG ]
run 0 "$C" plot -c "$SP" -c "$DP" --device "$DEV" --trials 2 --time 0,1d \
  "$W" -o budget.svg
check "one budget line per scheme in the SVG" \
  [ "$(grep -c 'stroke-dasharray' budget.svg)" -ge 1 ]
run 2 "$C" plot -c "$SP" --device "$DEV" -o budget2.png
err_has "give at least one -c CONFIG and WEIGHTS"
no_file budget2.png
run 2 "$C" plot -c "$SP" -c "$DP" "$W" -o budget2.png
err_has "add --device DEVICE"
run 2 "$C" plot -c "$SP" --device "$DEV" --trials 0 "$W" -o budget2.png
err_has "--trials must be at least 1"
run 2 "$C" plot -c "$SP" --device "$DEV" --time 5 "$W" -o budget2.png
err_has "--time"
no_file budget2.png
run 1 "$C" plot -c "$SP" --device missing-device.yaml "$W" -o budget2.png
err_has "missing-device.yaml"
no_file budget2.png

finish
