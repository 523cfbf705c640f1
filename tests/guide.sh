#!/bin/sh
# guide.sh - docs/plugin-guide.md builds examples/plugin/ file by file:
# the guide's `cat > FILE <<'EOF'` blocks, run in order in an empty
# directory, must give exactly the files that examples/check builds and
# tests, so the guide a new user follows is the plugin CI proves.
set -u
: "${CONDMAP_SRC_DIR:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-guide-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

awk '/^cat >>? [^ ]+ <<.EOF.$/ { on = 1 } on { print } on && /^EOF$/ { on = 0 }' \
  "$CONDMAP_SRC_DIR/docs/plugin-guide.md" >"$T/blocks.sh" || exit 99
(cd "$T" && mkdir out && cd out && sh ../blocks.sh) || {
  echo "FAIL: the guide's blocks do not run"; exit 1; }

checks=0
failures=0
for f in offset-ref.c offset-ref.map Makefile offset-ref.yaml; do
  checks=$((checks + 1))
  if ! cmp -s "$T/out/$f" "$CONDMAP_SRC_DIR/examples/plugin/$f"; then
    echo "FAIL: the guide's $f differs from examples/plugin/$f:"
    diff -u "$CONDMAP_SRC_DIR/examples/plugin/$f" "$T/out/$f" | head -40
    failures=$((failures + 1))
  fi
done
checks=$((checks + 1))
n=$(ls "$T/out" | wc -l)
[ "$n" = 4 ] || { echo "FAIL: the guide writes $n files, want 4"; failures=$((failures + 1)); }
echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
