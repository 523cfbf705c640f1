#!/bin/sh
# usage.sh - every subcommand's --help, usage errors (exit 2), and the
# commands that need no files: list, check.
. "$(dirname "$0")/lib.sh"

W=$DATA/dual-pair-1-3/weights.npy
CFG=$DATA/dual-pair-1-3/config.yaml

# --help: exit 0 and an example, for the command and every subcommand.
run 0 "$C" --help
out_has "Examples:"
for cmd in list check convert restore bench; do
  run 0 "$C" "$cmd" --help
  out_has "Example"
  out_has "condmap $cmd"
done
run 0 "$C" --version
out_has "condmap "

# Usage errors: exit 2 and a message that says what is wrong.
run 2 "$C"
run 2 "$C" frobnicate
err_has "unknown command 'frobnicate'"
for cmd in list check convert restore; do
  run 2 "$C" "$cmd" --no-such-option
  err_has "Try 'condmap $cmd --help'"
done
run 2 "$C" list extra
run 2 "$C" check
err_has "-c CONFIG"
run 2 "$C" check -c "$CFG" "$W" extra
err_has "unexpected argument 'extra'"
run 2 "$C" convert "$W"
err_has "-o OUTDIR"
run 2 "$C" convert -o "$T/o"
err_has "weights file is missing"
run 2 "$C" convert "$W" extra -o "$T/o"
err_has "unexpected argument 'extra'"
run 2 "$C" convert --format xls "$W" -o "$T/o"
err_has "--format must be npy or csv, not 'xls'"
run 2 "$C" convert -o
run 2 "$C" restore
err_has "missing"
run 2 "$C" restore "$T/a" "$T/b"
err_has "unexpected argument"
run 2 "$C" restore "$T/a" -o "$T/w.txt"
err_has "*.npy or *.csv"
nothing_left "$T/o"

# list: the five converters of the build tree.
run 0 "$C" list
for name in single-pair n-pair dual-pair custom-pair single-device; do
  out_has "$name"
done

# check: every shipped config is valid and invertible; a broken one is not.
# Bit slicing is lossy by design: its configs pass with the bound of
# docs/peers.md (tests/cli/peers.sh checks the bound itself).
n=0
for cfg in "$CONFIGS"/*.yaml; do
  [ -f "$cfg" ] || continue
  n=$((n + 1))
  case $cfg in
    */bit-slice.yaml) run 0 "$C" check -c "$cfg" --tolerance 0.004 ;;
    */neurosim-offset.yaml) run 0 "$C" check -c "$cfg" --tolerance 0.008 ;;
    *) run 0 "$C" check -c "$cfg" ;;
  esac
  out_has "invertibility"
done
check "configs/ holds the five converter configs (found $n)" [ "$n" -ge 5 ]
run 1 "$C" check -c "$DATA/invalid/f-zero.yaml"
err_has "f-zero.yaml"
run 1 "$C" check -c "$T/no-such.yaml"

# check with WEIGHTS: the round-trip report and each plane's range.
run 0 "$C" check -c "$CFG" "$W"
out_has "max abs error"
out_has "RMS"
out_has "max relative"
out_has "conductance range"
for plane in g_plus_0 g_minus_0 g_plus_1 g_minus_1; do
  out_has "$plane"
done
run 1 "$C" check -c "$CFG" "$T/no-such.npy"
err_has "no-such.npy"

# check --tolerance: a converter lossy by design (the test plugin "fake"
# restores every weight as 0, an error of exactly max |w|) fails the
# default limit, still reports on WEIGHTS, and passes a limit of 1.
if [ -n "${CONDMAP_TEST_PLUGINS:-}" ]; then
  mkdir "$T/lossy"
  cp "$CONDMAP_TEST_PLUGINS/create-fails.so" "$T/lossy/"
  printf 'converter: create-fails\nfail: false\n' >"$T/lossy.yaml"
  run 1 "$C" check --plugin-dir "$T/lossy" -c "$T/lossy.yaml" "$W"
  out_has "max error 1 of max |w| (limit 0.0001): FAILED"
  out_has "max relative 1 (of max |w|)"
  err_has "lossy.yaml: converter 'create-fails' does not round-trip"
  err_has "--tolerance"
  run 0 "$C" check --plugin-dir "$T/lossy" -c "$T/lossy.yaml" --tolerance 1 "$W"
  out_has "(limit 1): ok"
  run 1 "$C" check --plugin-dir "$T/lossy" -c "$T/lossy.yaml" --tolerance 0.5
fi
run 2 "$C" check -c "$CFG" --tolerance -1
err_has "--tolerance must be a number >= 0"
run 2 "$C" check -c "$CFG" --tolerance nan
run 2 "$C" check -c "$CFG" --tolerance abc

finish
