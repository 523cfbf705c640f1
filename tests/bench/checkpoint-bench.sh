#!/bin/bash
# checkpoint-bench.sh - convert a synthetic 1.55 GiB checkpoint (461
# tensors, F32, BF16 and F16) and report its throughput beside the I/O
# floor for the same bytes, and its peak RSS beside the memory bound of
# docs/checkpoints.md.
#
#   tests/bench/checkpoint-bench.sh [CONDMAP] [ROUNDS]
#
# CONDMAP is the condmap command (default: the build tree's cli/condmap
# found from $PWD, or condmap on PATH); ROUNDS (default 3) alternates floor
# and conversion runs and keeps the fastest of each, so that both see the
# same machine.  Everything is written under $TMPDIR (default /tmp) and
# removed at the end.  Needs /usr/bin/python3 with NumPy and GNU time
# (/usr/bin/time, Debian: time).
#
# The floor reads the model once (8 MiB reads) and writes as many bytes as
# the conversion's OUTDIR holds (8 MiB pwrite()s into a file sized first,
# then fsync, as condmap's writer does): the disk work of a conversion
# with no mathematics.  On a shared machine the disk's speed varies from
# run to run by 2x or more: compare the best of several rounds.  The
# recipe is single-pair for every floating tensor of rank >= 2, biases
# and the embedding passing through.  The bound is
#   1.25 x max over tensors (input bytes + plane bytes) + 64 MiB.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
C=${1:-}
rounds=${2:-3}
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
n_tensors=$(/usr/bin/python3 -c '
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




cat >"$work/floor.py" <<'PY'
import os, sys
src, dst, nbytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = bytearray(8 << 20)
with open(src, "rb", buffering=0) as f:
    while f.readinto(buf):
        pass
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
os.ftruncate(fd, nbytes)
view, off = memoryview(buf), 0
while off < nbytes:
    off += os.pwrite(fd, view[:min(len(buf), nbytes - off)], off)
os.fsync(fd)
os.close(fd)
PY

floor_once () {
  rm -f "$work/floor.bin"
  sync
  /usr/bin/time -f '%e' -o "$work/time" \
    /usr/bin/python3 "$work/floor.py" "$model" "$work/floor.bin" "$out_bytes"
  read -r fsecs <"$work/time"
  rm -f "$work/floor.bin"
}

# A first conversion warms the page cache and measures the output.
convert_once
out_bytes=$(du -sb "$work/out" | cut -f1)
best=; best_floor=; peak=0
for _ in $(seq "$rounds"); do
  floor_once
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
  printf "I/O floor:  %.2f s, %.0f MiB/s (read the input, pwrite the output bytes, fsync)\n", f, ib / mib / f
  printf "ratio:      %.2f of the floor (goal >= 0.8)\n", f / t
  printf "peak RSS:   %.0f MiB, bound %.0f MiB (%s)\n", rss / 1024, bound / 1024, rss <= bound ? "within" : "OVER"
}'
[ "$peak" -le "$bound" ]
