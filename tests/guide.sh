#!/bin/sh
# guide.sh - docs/plugin-guide.md followed as a new user would, from an
# empty directory:
#  - its `cat > FILE <<'EOF'` blocks, run in order, give exactly the files
#    of examples/plugin/, and the plugin is under 80 lines of C written
#    with CONDMAP_PLUGIN_DEFINE and a declared settings table, without GLib;
#  - the guide's Makefile builds it against condmap-plugin.h alone (a
#    condmap.pc that requires nothing) into a plugin that links nothing of
#    condmap's and exports one symbol;
#  - the commands the guide shows (each checked to be in the guide, word
#    for word) list it, describe it as the guide prints, convert, restore
#    and check a file, and refuse the broken configs with the messages the
#    guide quotes.
set -u
: "${CONDMAP_SRC_DIR:?run through make check}"
: "${CONDMAP_BIN:?run through make check}"
GUIDE=$CONDMAP_SRC_DIR/docs/plugin-guide.md
T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-guide-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

checks=0
failures=0
ok () { checks=$((checks + 1)); }
fail () { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
# in_guide LINE: the guide holds LINE as a line of its own.
in_guide () { grep -qxF -- "$1" "$GUIDE" || { fail "the guide lost the line: $1"; return 1; }; }
# says TEXT: the guide quotes TEXT (its words may wrap across lines).
says () {
  tr '\n' ' ' <"$GUIDE" | tr -s ' ' | grep -qF -- "$1" || fail "the guide does not quote: $1"
}
# run CMD...: the guide's `condmap ...` line CMD, run with the condmap
# under test; output in $T/log.
run () {
  in_guide "$*" || true
  shift
  (cd "$T/out" && "$CONDMAP_BIN" "$@") >"$T/log" 2>&1
}

# ---- the files ----------------------------------------------------------
awk '/^cat >>? [^ ]+ <<.EOF.$/ { on = 1 } on { print } on && /^EOF$/ { on = 0 }' \
  "$GUIDE" >"$T/blocks.sh" || exit 99
mkdir "$T/out" && (cd "$T/out" && sh ../blocks.sh) || {
  echo "FAIL: the guide's blocks do not run"; exit 1; }
for f in offset-ref.c Makefile offset-ref.yaml; do
  if cmp -s "$T/out/$f" "$CONDMAP_SRC_DIR/examples/plugin/$f"; then ok; else
    fail "the guide's $f differs from examples/plugin/$f:"
    diff -u "$CONDMAP_SRC_DIR/examples/plugin/$f" "$T/out/$f" | head -40
  fi
done
n=$(ls "$T/out" | wc -l)
[ "$n" = 3 ] && ok || fail "the guide writes $n files, want 3"

C=$T/out/offset-ref.c
lines=$(wc -l <"$C")
[ "$lines" -lt 80 ] && ok || fail "the plugin is $lines lines of C, want under 80"
says "wc -l offset-ref.c\` says $lines."
grep -q '^CONDMAP_PLUGIN_DEFINE (' "$C" && grep -q 'CondmapSettingDecl settings\[\]' "$C" \
  && ok || fail "the plugin does not use CONDMAP_PLUGIN_DEFINE and a settings table"
grep -q 'glib\|libcondmap\|<condmap\.h>' "$C" && fail "the plugin mentions GLib or libcondmap" || ok

# ---- build it with the guide's Makefile ----------------------------------
# condmap-plugin.h and nothing else, as the installed condmap-plugin.pc
# gives it.
mkdir "$T/pc" "$T/installed"
cat >"$T/pc/condmap-plugin.pc" <<EOF
plugindir=$T/installed
Name: condmap-plugin
Description: the plugin header of the source tree
Version: 0
Cflags: -I$CONDMAP_SRC_DIR/core
EOF
in_guide "make" || true
# As a user runs it: not as a sub-make of make check.
unset MAKEFLAGS MFLAGS MAKELEVEL
if (cd "$T/out" && PKG_CONFIG_PATH=$T/pc PKG_CONFIG_LIBDIR=$T/pc \
      make CC="${CONDMAP_CC:-cc}") >"$T/log" 2>&1; then
  grep -v '^make' "$T/log" | grep -q 'warning:' \
    && { fail "the compiler warns:"; cat "$T/log"; } || ok
else
  fail "the guide's Makefile does not build the plugin:"; cat "$T/log"; exit 1
fi
SO=$T/out/offset-ref.so
syms=$(nm -D --defined-only "$SO" | awk '{ print $3 }' | sort -u | tr '\n' ' ')
[ "$syms" = "condmap_plugin_get_desc " ] && ok || fail "offset-ref.so exports: $syms"
readelf -d "$SO" | grep NEEDED | grep -E 'libcondmap|libglib' \
  && fail "offset-ref.so links condmap or GLib" || ok
nm -D --undefined-only "$SO" | grep ' condmap_' \
  && fail "offset-ref.so needs condmap_ symbols" || ok

# ---- the guide's commands --------------------------------------------------
run condmap list --plugin-dir . && grep -q '^  offset-ref ' "$T/log" \
  && ok || { fail "condmap list does not show offset-ref"; cat "$T/log"; }

# describe prints what the guide shows, line for line.
if run condmap describe offset-ref --plugin-dir .; then
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    grep -qxF -- "$line" "$GUIDE" || fail "describe prints a line the guide does not show: $line"
  done <"$T/log"
  ok
else
  fail "condmap describe offset-ref"; cat "$T/log"
fi
says "condmap describe offset-ref --plugin-dir . --format markdown"
(cd "$T/out" && "$CONDMAP_BIN" describe offset-ref --plugin-dir . --format markdown) \
  >"$T/log" 2>&1 && grep -qF '| `ref_fraction` | number | - | 0.5 | in (0, 1) |' "$T/log" \
  && ok || { fail "describe --format markdown"; cat "$T/log"; }

awk_line=$(grep "^awk 'BEGIN" "$GUIDE")
(cd "$T/out" && sh -c "$awk_line") && [ -s "$T/out/weights.csv" ] \
  && ok || fail "the guide's awk line does not write weights.csv"

run condmap check -c offset-ref.yaml weights.csv --plugin-dir . \
  && grep -q 'round trip: max abs error' "$T/log" \
  && ok || { fail "condmap check of the guide's plugin"; cat "$T/log"; }
run condmap convert -c offset-ref.yaml weights.csv -o out --plugin-dir . \
  && [ -f "$T/out/out/g.csv" ] && [ -f "$T/out/out/g_ref.csv" ] \
  && grep -qx 'converter: offset-ref' "$T/out/out/params.yaml" \
  && ok || { fail "condmap convert with the guide's plugin"; cat "$T/log"; }
run condmap restore out -o restored.csv --plugin-dir . \
  && [ -f "$T/out/restored.csv" ] && ok || { fail "condmap restore"; cat "$T/log"; }
# The weights come back within 1e-5 of max |w| (0.5).
paste -d, "$T/out/weights.csv" "$T/out/restored.csv" | awk -F, '
  { n = NF / 2; for (i = 1; i <= n; i++) { d = $i - $(i + n); if (d < 0) d = -d; if (d > m) m = d } }
  END { exit !(NR == 64 && m <= 5e-6) }' \
  && ok || fail "restored.csv does not match weights.csv"
# The planes hold what the scheme says: g_ref = 12.5 everywhere, g in [0, 25].
awk -F, '{ for (i = 1; i <= NF; i++) if ($i != 12.5) bad = 1 } END { exit bad }' \
  "$T/out/out/g_ref.csv" && ok || fail "plane g_ref is not 12.5 everywhere"

# refused CONFIG MESSAGE: `condmap check -c bad.yaml --plugin-dir .` with
# the guide's CONFIG exits 1 with MESSAGE, which the guide quotes.
refused () {
  in_guide "printf '$1' > bad.yaml" || return
  printf "$1" >"$T/out/bad.yaml"
  (cd "$T/out" && "$CONDMAP_BIN" check -c bad.yaml --plugin-dir .) >"$T/log" 2>&1
  status=$?
  says "$2"
  if [ "$status" = 1 ] && grep -qF -- "$2" "$T/log"; then ok; else
    fail "bad.yaml ($1): status $status, want 1 and: $2"; cat "$T/log"
  fi
}
in_guide 'condmap check -c bad.yaml --plugin-dir . || echo "refused, status $?"'
refused 'converter: offset-ref\nref_fraction: 1.5\n' \
  'bad.yaml:2: ref_fraction = 1.5 must be in (0, 1)'
refused 'converter: offset-ref\nref_fracton: 0.4\n' \
  "unknown key 'ref_fracton' in bad.yaml:2 - did you mean 'ref_fraction'?"
refused 'converter: offset-ref\ng_min: 30\n' \
  'bad.yaml:2: g_min (30) must be smaller than g_max (25, the default): lower g_min or raise g_max'

# make install plugindir=DIR, then CONDMAP_PLUGIN_PATH=DIR finds it.
in_guide 'make install plugindir=$HOME/.local/lib/condmap/plugins' || true
(cd "$T/out" && PKG_CONFIG_PATH=$T/pc PKG_CONFIG_LIBDIR=$T/pc \
   make install plugindir="$T/mine") >"$T/log" 2>&1 \
  && CONDMAP_PLUGIN_PATH=$T/mine "$CONDMAP_BIN" list >"$T/log" 2>&1 \
  && grep -qF "$T/mine/offset-ref.so" "$T/log" \
  && ok || { fail "make install plugindir=DIR with CONDMAP_PLUGIN_PATH=DIR"; cat "$T/log"; }

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
