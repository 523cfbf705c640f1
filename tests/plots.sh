#!/bin/sh
# plots.sh - the pictures in docs/img/ are what `make plots` draws from the
# shipped configs today: regenerated, they are the same bytes (the SVG is
# reproducible), and docs/plots.md shows each of them.  Skips (77) where
# plots are not built, or where another cairo or pango draws them (glyph
# outlines and number formatting may differ between versions; the
# renderer is recorded in docs/img/renderer.txt).
set -u
: "${CONDMAP_SRC_DIR:?run through make check}"
: "${CONDMAP_BIN:?run through make check}"
img=$CONDMAP_SRC_DIR/docs/img
if "$CONDMAP_BIN" --version | grep -q '^plots: not built'; then
  echo "SKIP: condmap was built without cairo and pango"
  exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-plots-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

CONDMAP_BIN=$CONDMAP_BIN sh "$img/make-plots.sh" "$CONDMAP_SRC_DIR" "$T" || {
  echo "FAIL: docs/img/make-plots.sh failed"; exit 1; }
if ! cmp -s "$T/renderer.txt" "$img/renderer.txt"; then
  echo "SKIP: docs/img/ was drawn with $(cat "$img/renderer.txt"), this" \
    "condmap draws with $(cat "$T/renderer.txt")"
  exit 77
fi

checks=0
failures=0
for fresh in "$T"/*.svg; do
  name=${fresh##*/}
  checks=$((checks + 2))
  if ! cmp -s "$fresh" "$img/$name"; then
    echo "FAIL: docs/img/$name is not what 'make plots' draws now: run make plots"
    failures=$((failures + 1))
  fi
  grep -qF "](img/$name)" "$CONDMAP_SRC_DIR/docs/plots.md" || {
    echo "FAIL: docs/plots.md does not show img/$name"
    failures=$((failures + 1)); }
done
for committed in "$img"/*.svg; do
  checks=$((checks + 1))
  [ -e "$T/${committed##*/}" ] || {
    echo "FAIL: docs/img/${committed##*/} is not drawn by make-plots.sh"
    failures=$((failures + 1)); }
done
echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
