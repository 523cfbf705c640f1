#!/bin/bash
# checkpoint-bench.sh - convert a synthetic 1.55 GiB checkpoint (461
# tensors, F32, BF16 and F16) and report its throughput beside the I/O
# floor for the same bytes, and its peak RSS beside the memory bound of
# docs/checkpoints.md.
#
#   tests/bench/checkpoint-bench.sh [CONDMAP] [ROUNDS]
#
# CONDMAP is the condmap command (default: the build tree's cli/condmap
# found from $PWD, or condmap on PATH); ROUNDS (default 2) alternates floor
# and conversion runs and keeps the fastest of each, so that both see the
# same machine.  Everything is written under $TMPDIR (default /tmp) and
# removed at the end.  Needs /usr/bin/python3 with NumPy and GNU time
# (/usr/bin/time, Debian: time).
#
# The floor reads the model once (cat) and writes as many bytes as the
# conversion's OUTDIR holds (dd, fsync'd at the end, as condmap's atomic
# writes are): the disk work of a conversion with no mathematics.  The
# recipe is single-pair for every floating tensor of rank >= 2, biases
# and the embedding passing through.  The bound is
#   1.25 x max over tensors (input bytes + plane bytes) + 64 MiB.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
C=${1:-}
rounds=${2:-2}
if [ -z "$C" ]; then
  if [ -x cli/condmap ]; then C=$PWD/cli/condmap; else C=$(command -v condmap); fi
fi
[ -x /usr/bin/time ] || { echo "checkpoint-bench: needs GNU time (/usr/bin/time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/condmap-ckpt-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
model=$work/model.safetensors

echo "writing $model ..."
info=$(/usr/bin/python3 "$here/make-checkpoint.py" "$model")
in_bytes=$(stat -c %s "$model")
n_tensors=$(echo "$info" | head -0; /usr/bin/python3 -c '
import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]
h = json.loads(f.read(n)); h.pop("__metadata__", None); print(len(h))' "$model")

cat >"$work/recipe.yaml" <<YAML
format: condmap-recipe/1
default: {converter: single-pair}
rules:
  - {match: "*.bias", skip: true}
  - {match: "embed.*", skip: true}
YAML
K=2   # single-pair's planes, float32

# The bound: the biggest tensor by input bytes (it may pass through) and
# the biggest converted one (input + K float32 planes).
bound=$(echo "$info" | awk -v K=$K '
  { bytes = $3; if ($5 == 1) bytes += K * 4 * $4; if (bytes > m) m = bytes }
  END { printf "%d", (1.25 * m + 64 * 1048576) / 1024 }')

convert_once () {
  rm -rf "$work/out"
  sync
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$C" convert -q -r "$work/recipe.yaml" "$model" -o "$work/out"
  read -r secs rss_kib <"$work/time"
}

floor_once () {
  local mib=$1
  rm -f "$work/floor.bin"
  sync
  /usr/bin/time -f '%e' -o "$work/time" sh -c \
    "cat '$model' >/dev/null && dd if=/dev/zero of='$work/floor.bin' bs=1M count=$mib conv=fsync status=none"
  read -r fsecs <"$work/time"
  rm -f "$work/floor.bin"
}

# A first conversion warms the page cache and measures the output.
convert_once
out_bytes=$(du -sb "$work/out" | cut -f1)
out_mib=$(( (out_bytes + 1048575) / 1048576 ))
best=; best_floor=; peak=0
for _ in $(seq "$rounds"); do
  floor_once "$out_mib"
  if [ -z "$best_floor" ] || awk "BEGIN { exit !($fsecs < $best_floor) }"; then best_floor=$fsecs; fi
  convert_once
  if [ -z "$best" ] || awk "BEGIN { exit !($secs < $best) }"; then best=$secs; fi
  [ "$rss_kib" -gt "$peak" ] && peak=$rss_kib
done

awk -v ib="$in_bytes" -v ob="$out_bytes" -v n="$n_tensors" -v t="$best" \
    -v f="$best_floor" -v rss="$peak" -v bound="$bound" -v c="$C" 'BEGIN {
  mib = 1048576
  printf "checkpoint: %d tensors, %.0f MiB in, %.0f MiB out (%s)\n", n, ib / mib, ob / mib, c
  printf "convert:    %.2f s, %.0f MiB/s of input\n", t, ib / mib / t
  printf "I/O floor:  %.2f s, %.0f MiB/s (cat the input, dd the output bytes, fsync)\n", f, ib / mib / f
  printf "ratio:      %.2f of the floor (goal >= 0.8)\n", f / t
  printf "peak RSS:   %.0f MiB, bound %.0f MiB (%s)\n", rss / 1024, bound / 1024, rss <= bound ? "within" : "OVER"
}'
[ "$peak" -le "$bound" ]
