#!/bin/sh
# make-plots.sh SRCDIR OUTDIR - draws the pictures of docs/plots.md from
# the configs shipped in SRCDIR/configs with the condmap command named by
# CONDMAP_BIN.  `make plots` writes them into docs/img/; tests/plots.sh
# draws them into a temporary directory and compares the bytes.
# renderer.txt records the cairo and pango they were drawn with.
set -eu
: "${CONDMAP_BIN:?set CONDMAP_BIN to the condmap command, or run make plots}"
src=$1
out=$2

for scheme in single-pair dual-pair n-pair custom-pair single-device; do
  "$CONDMAP_BIN" plot -q -c "$src/configs/$scheme.yaml" -o "$out/$scheme.svg"
done
"$CONDMAP_BIN" plot -q -c "$src/configs/dual-pair.yaml" \
  "$src/examples/weights.npy" -o "$out/dual-pair-weights.svg"
# A level set: the shipped dual-pair on a device of 8 uniform levels.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/condmap-plots-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat "$src/configs/dual-pair.yaml" >"$tmp/levels.yaml"
echo 'levels: 8' >>"$tmp/levels.yaml"
"$CONDMAP_BIN" plot -q -c "$tmp/levels.yaml" \
  --title "dual-pair.yaml with levels: 8" -o "$out/dual-pair-levels.svg"
# The error budget of single-pair and dual-pair on the PCM-like model.
"$CONDMAP_BIN" plot -q -c "$src/configs/single-pair.yaml" \
  -c "$src/configs/dual-pair.yaml" \
  --device "$src/configs/devices/pcm-like.yaml" \
  --title "Error budget on pcm-like.yaml" \
  "$src/examples/weights.npy" -o "$out/budget.svg"
"$CONDMAP_BIN" --version | sed -n 's/^plots: //p' >"$out/renderer.txt"
