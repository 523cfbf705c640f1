#!/bin/sh
# describe.sh - `condmap describe` prints each plugin's declared settings,
# and docs/config-reference.md holds exactly what it prints for every
# built-in plugin, between the markers
#   <!-- condmap describe --format markdown NAME -->  ...  <!-- end -->
# After changing a plugin's settings table, regenerate the blocks with
#   CONDMAP_UPDATE_DOCS=1 make check TESTS=tests/cli/describe.sh
. "$(dirname "$0")/lib.sh"

DOC=$CONDMAP_SRC_DIR/docs/config-reference.md
PLUGINS="single-pair n-pair dual-pair custom-pair single-device bit-slice offset two-sided-pair"

run 0 "$C" describe dual-pair
out_has "f_lst"
out_has "list of numbers"
out_has "required"
out_has "2 items, each > 0"
out_has "µS"
run 0 "$C" describe --format markdown dual-pair
out_has "| \`f_lst\` | list of numbers |"
run 2 "$C" describe
err_has "name a plugin"
run 2 "$C" describe --format html dual-pair
err_has "unknown --format 'html'"
run 1 "$C" describe dual-pear
err_has "no plugin is named 'dual-pear' - did you mean 'dual-pair'?"

# The block of NAME in the doc, markers excluded.
block () {
  awk -v start="<!-- condmap describe --format markdown $1 -->" '
    $0 == start { on = 1; next }
    on && $0 == "<!-- end -->" { exit }
    on { print }' "$DOC"
}

if [ "${CONDMAP_UPDATE_DOCS:-}" = 1 ]; then
  for p in $PLUGINS; do
    "$C" describe --format markdown "$p" >"$T/$p.md" || exit 99
    awk -v start="<!-- condmap describe --format markdown $p -->" \
        -v file="$T/$p.md" '
      $0 == start { print; while ((getline line < file) > 0) print line;
                    skip = 1; next }
      skip && $0 == "<!-- end -->" { skip = 0 }
      !skip { print }' "$DOC" >"$T/doc" && cat "$T/doc" >"$DOC"
  done
fi

for p in $PLUGINS; do
  "$C" describe --format markdown "$p" >"$T/want.md"
  block "$p" >"$T/got.md"
  checks=$((checks + 1))
  if ! [ -s "$T/got.md" ]; then
    fail "docs/config-reference.md has no describe block for $p"
  elif ! cmp -s "$T/want.md" "$T/got.md"; then
    fail "docs/config-reference.md differs from 'condmap describe --format markdown $p' (regenerate: CONDMAP_UPDATE_DOCS=1 make check TESTS=tests/cli/describe.sh)"
    diff "$T/got.md" "$T/want.md" | sed 's/^/  /'
  fi
done

finish
