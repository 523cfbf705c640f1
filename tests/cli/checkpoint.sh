#!/bin/sh
# checkpoint.sh - whole safetensors checkpoints end to end (without
# NumPy): convert -r / -c / neither, the OUTDIR written, --format npy,
# --plane-dtype, restore (measured planes of the wrong shape or dtype
# refused), check's table and its warning about rules that match nothing,
# the progress line, and every bad input of the issue: exit status 1, a
# message naming the file and the tensor, and no OUTDIR.
. "$(dirname "$0")/lib.sh"

SRC=${CONDMAP_SRC_DIR:?}
MODEL=$SRC/examples/model.safetensors
RECIPE=$SRC/examples/recipe.yaml
cd "$T" || exit 99

# le64 N: N as 8 bytes, little-endian.
le64 () {
  n=$1
  s=
  i=0
  while [ $i -lt 8 ]; do
    s="$s\\$(printf %o $((n % 256)))"
    n=$((n / 256))
    i=$((i + 1))
  done
  # shellcheck disable=SC2059
  printf "$s"
}

# mkst FILE HEADER N_BYTES [HEADER_LENGTH]: a safetensors file with HEADER
# (JSON) and N_BYTES zero bytes of data; the length field says
# HEADER_LENGTH if given.
mkst () {
  { le64 "${4:-${#2}}"; printf '%s' "$2"; head -c "$3" /dev/zero; } >"$1"
}

# ---- convert, restore, check ---------------------------------------------

run 0 "$C" convert -r "$RECIPE" "$MODEL" -o out
out_has "out: 10 planes (planes.safetensors), 6 tensors passed through"
check "exactly three files" \
  [ "$(ls out | tr '\n' ' ')" = "params.yaml passthrough.safetensors planes.safetensors " ]
check "record format" grep -qx 'format: condmap-checkpoint/1' out/params.yaml
check "record layout" grep -qx 'layout: safetensors' out/params.yaml
check "BF16 tensor recorded" grep -qx '  tensor_dtype: BF16' out/params.yaml
check "plane tensor names" grep -q "plane_tensors: \['classifier.fc1.weight:g_plus_0'" out/params.yaml
check "bias passes through" grep -qx -- '- name: features.conv1.bias' out/params.yaml
check "no progress line when stderr is a file" [ ! -s "$T/.stderr" ]
no_temporaries out

run 0 "$C" restore out -o back.safetensors
out_has "back.safetensors: 9 tensors restored from out"
check "restored file written" [ -s back.safetensors ]
# The restored checkpoint converts to the same planes: F16/BF16 tensors and
# pass-through come back bit for bit, so only F32 planes may move, within
# the round trip.
run 0 "$C" convert -r "$RECIPE" back.safetensors -o again
check "same record shape" \
  [ "$(grep -c 'name:' again/params.yaml)" = "$(grep -c 'name:' out/params.yaml)" ]
check "pass-through bit for bit" cmp -s out/passthrough.safetensors again/passthrough.safetensors
run 0 "$C" restore out
check "default output" [ -s out/restored.safetensors ]

run 0 "$C" check -r "$RECIPE" "$MODEL"
out_has "classifier.fc1.weight"
out_has "BF16"
out_has "(64, 72)"
out_has "dual-pair"
out_has "passthrough"
out_has "total: 3 of 9 tensors converted (5320 weights)"
check "one row per tensor, a header and a total" [ "$(wc -l <"$T/.stdout")" = 11 ]

# A rule that matches nothing is a warning, not an error.
cat >typo.yaml <<YAML
format: condmap-recipe/1
default: $SRC/configs/single-pair.yaml
rules:
  - {match: "*.bais", skip: true}
YAML
run 0 "$C" check -r typo.yaml "$MODEL"
err_has "typo.yaml:4: rule '*.bais' matches no tensor of $MODEL"
run 0 "$C" convert -q -r typo.yaml "$MODEL" -o typo
err_has "rule '*.bais' matches no tensor"

# -c CONFIG for every default tensor; neither: single-pair, said.
run 0 "$C" convert -c "$SRC/configs/single-pair.yaml" "$MODEL" -o single
check "single-pair everywhere" [ "$(grep -c 'converter: single-pair' single/params.yaml)" = 3 ]
run 0 "$C" convert "$MODEL" -o default -q
err_has "no -r RECIPE or -c CONFIG given: using single-pair"

# npy planes, one directory per tensor; F16 planes.
run 0 "$C" convert -r "$RECIPE" "$MODEL" -o npy --format npy
check "npy plane" [ -s npy/classifier.fc1.weight/g_minus_1.npy ]
check "no planes.safetensors" [ ! -e npy/planes.safetensors ]
run 0 "$C" restore npy -o from-npy.safetensors
check "npy and safetensors planes restore alike" cmp -s from-npy.safetensors out/restored.safetensors
run 0 "$C" convert -r "$RECIPE" "$MODEL" -o half --plane-dtype f16
check "F16 planes recorded" grep -q 'plane_dtype: F16' half/params.yaml
run 0 "$C" restore half -o half.safetensors
run 1 "$C" convert -r "$RECIPE" "$MODEL" -o npy16 --plane-dtype f16 --format npy
err_has "F16 planes"
nothing_left npy16

# The progress line: forced into a file with --progress.
run 0 "$C" convert -r "$RECIPE" "$MODEL" -o prog --progress -q
err_has "[9/9] num_batches_tracked"
err_has "11 KiB of 11 KiB"
run 0 "$C" restore prog -o prog.safetensors --progress
err_has "[9/9]"

# Usage errors.
run 2 "$C" convert -r "$RECIPE" -c "$SRC/configs/single-pair.yaml" "$MODEL" -o x
run 2 "$C" convert -r "$RECIPE" "$MODEL" -o x --plane-dtype bf16
err_has "--plane-dtype must be f16, f32 or f64"
run 2 "$C" convert -r "$RECIPE" "$MODEL" -o x --format csv
run 2 "$C" convert -r "$RECIPE" "$SRC/examples/weights.npy" -o x
err_has "-r RECIPE maps the tensors of a safetensors checkpoint"
run 2 "$C" restore out -o back.npy
run 2 "$C" check -r "$RECIPE" "$SRC/examples/weights.npy"
nothing_left x

# ---- bad input: exit 1, file and tensor named, no OUTDIR ------------------

W='"dtype":"F32","shape":[2,2]'
mkst past.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]}}" 16 1000
mkst absurd.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]}}" 16 1099511627776
mkst oob.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]}}" 8
mkst overlap.safetensors "{\"a\":{$W,\"data_offsets\":[0,16]},\"b\":{$W,\"data_offsets\":[8,24]}}" 24
mkst mismatch.safetensors "{\"w\":{$W,\"data_offsets\":[0,12]}}" 12
mkst json.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]}" 16
mkst dtype.safetensors '{"w":{"dtype":"F8X","shape":[2,2],"data_offsets":[0,16]}}' 16
mkst dup.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]},\"w\":{$W,\"data_offsets\":[16,32]}}" 32
mkst overflow.safetensors '{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}}' 16
mkst nul.safetensors "{\"a\\u0000b\":{$W,\"data_offsets\":[0,16]}}" 16
mkst dotdot.safetensors "{\"w/../../x\":{$W,\"data_offsets\":[0,16]}}" 16
mkst slash.safetensors "{\"/etc/w\":{$W,\"data_offsets\":[0,16]}}" 16

# bad NAME TEXT...: converting NAME.safetensors fails with exit status 1,
# naming the file and each TEXT, and leaves no OUTDIR.
bad () {
  name=$1
  shift
  run 1 "$C" convert -q "$name.safetensors" -o "bad-$name" --format npy
  err_has "$name.safetensors: "
  for text in "$@"; do
    err_has "$text"
  done
  nothing_left "bad-$name"
}
bad past "header length" "runs past the end of the file"
bad absurd "implausibly large"
bad oob "tensor 'w'" "run past the end of the file"
bad overlap "tensor 'b'" "overlaps that of tensor 'a'"
bad mismatch "tensor 'w'" "shape (2, 2) of F32 takes 16"
bad json "malformed JSON"
bad dtype "tensor 'w'" "unknown dtype 'F8X'"
bad dup "tensor 'w'" "appears twice"
bad overflow "tensor 'w'" "overflows"
bad nul "NUL"
bad dotdot "tensor 'w/../../x' cannot be a directory of npy planes"
bad slash "tensor '/etc/w' cannot be a directory of npy planes"
check "nothing written outside: x" [ ! -e x ]
check "nothing written outside: w" [ ! -e w ]
# The same names are only names inside planes.safetensors.
run 0 "$C" convert -q dotdot.safetensors -o dotdot-ok
run 0 "$C" convert -q slash.safetensors -o slash-ok

# Measured planes of the wrong shape or dtype: refused at restore, naming
# the planes file and the tensor; no output written.
mkst one.safetensors "{\"w\":{$W,\"data_offsets\":[0,16]}}" 16
run 0 "$C" convert -q -c "$SRC/configs/single-pair.yaml" one.safetensors -o one
P='"dtype":"F32","data_offsets"'
mkst one/planes.safetensors "{\"w:g_plus_0\":{\"shape\":[4],$P:[0,16]},\"w:g_minus_0\":{\"shape\":[2,2],$P:[16,32]}}" 32
run 1 "$C" restore one -o one-back.safetensors
err_has "one/planes.safetensors: plane 'w:g_plus_0' of tensor 'w' is F32 of shape (4,), but params.yaml records F32 of shape (2, 2)"
check "no output" [ ! -e one-back.safetensors ]
mkst one/planes.safetensors "{\"w:g_plus_0\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,32]},\"w:g_minus_0\":{\"shape\":[2,2],$P:[32,48]}}" 48
run 1 "$C" restore one -o one-back.safetensors
err_has "plane 'w:g_plus_0' of tensor 'w' is F64"
check "no output" [ ! -e one-back.safetensors ]
mkst one/planes.safetensors "{\"w:g_plus_0\":{\"shape\":[2,2],$P:[0,16]},\"w:g_minus_0\":{\"shape\":[2,2],$P:[16,32]}}" 32
run 0 "$C" restore one -o one-back.safetensors
check "zero planes restore to zero weights" [ -s one-back.safetensors ]

# A damaged record names params.yaml and the line.
sed 's/plane_dtype: F32/plane_dtyp: F32/' one/params.yaml >one/p && mv one/p one/params.yaml
run 1 "$C" restore one -o one-back2.safetensors
err_has "one/params.yaml:"
err_has "did you mean 'plane_dtype'"

finish
