#!/bin/sh
# devices.sh - condmap simulate, check --device and compare, end to end:
# the lab loop rehearsed without a chip (convert, simulate, restore), the
# same planes for any thread count, the error budget in text and JSON,
# dual-pair [1, 3] ranked above single-pair at t = 0, and the bad input
# each command refuses, with its exit status and the line at fault.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
W=$DATA/dual-pair-1-3/weights.npy
PCM=$CONFIGS/devices/pcm-like.yaml
run 0 "$C" convert -q -c "$CONFIGS/dual-pair.yaml" "$W" -o g || exit 99

# list and describe know the device models and say their kind.
run 0 "$C" list
out_has "3 device models:"
out_has "  pcm-like "
out_has "device, version"
run 0 "$C" describe pcm-like
out_has "prog_coeff_g_max_reference"
run 0 "$C" describe measured
out_has "table"

# simulate writes a directory restore takes as it is; the same seed gives
# the same bytes on 1, 2 and 7 threads.
for n in 1 2 7; do
  run 0 "$C" simulate g --device "$PCM" --time 1d --seed 5 --threads $n -o m$n
done
for f in g_plus_0.npy g_minus_0.npy g_plus_1.npy g_minus_1.npy params.yaml; do
  check "m1/$f = m2/$f" cmp -s m1/$f m2/$f
  check "m1/$f = m7/$f" cmp -s m1/$f m7/$f
done
check "params.yaml copied" cmp -s g/params.yaml m1/params.yaml
check "the planes moved" sh -c '! cmp -s g/g_plus_0.npy m1/g_plus_0.npy'
run 0 "$C" simulate g --device "$PCM" --time 1d --seed 6 -o m-other
check "another seed, other planes" sh -c '! cmp -s m1/g_plus_0.npy m-other/g_plus_0.npy'
run 0 "$C" restore m1 -o back.npy
check "restore took the simulated directory" [ -s back.npy ]
# An existing directory is refused without --force, and kept.
run 1 "$C" simulate g --device "$PCM" -o m1
err_has "m1"
check "m1 kept" cmp -s m1/g_plus_0.npy m2/g_plus_0.npy
run 0 "$C" simulate g --device "$PCM" --force -o m1
run 0 "$C" simulate g --device "$CONFIGS/devices/gaussian.yaml" -o mg
run 0 "$C" simulate g --device "$CONFIGS/devices/measured.yaml" -o mm

# Times: 0, or a number with a unit.
run 2 "$C" simulate g --device "$PCM" --time 5 -o bad
err_has "unit"
nothing_left bad
run 2 "$C" simulate g --device "$PCM" --time -1h -o bad
err_has "--time"
nothing_left bad
run 2 "$C" simulate g --device "$PCM" --seed x -o bad
err_has "--seed"
run 2 "$C" simulate g -o bad
err_has "--device"

# An unknown device: exit 1, the line, and a did-you-mean.
printf '# my chip\ndevice: pcm-lik\n' >typo.yaml
run 1 "$C" simulate g --device typo.yaml -o bad
err_has "typo.yaml:2: no plugin provides device model 'pcm-lik' - did you mean 'pcm-like'?"
nothing_left bad
# A negative σ: the core's range check, at its line.
printf 'device: gaussian\nsigma: 0.1\nread_sigma: -1\n' >neg.yaml
run 1 "$C" simulate g --device neg.yaml -o bad
err_has "neg.yaml:3"
err_has "read_sigma"
# A level table with a bad cell: the file, its line and column.
printf '0, 0.1\n12.5, abc\n25, 0.3\n' >bad-cell.csv
printf 'device: measured\ntable: bad-cell.csv\n' >bad-table.yaml
run 1 "$C" simulate g --device bad-table.yaml -o bad
err_has "bad-table.yaml:2"
err_has "bad-cell.csv:2"
# Unsorted, repeated, or negative levels.
printf '0, 0.1\n20, 0.2\n10, 0.3\n' >unsorted.csv
printf 'device: measured\ntable: unsorted.csv\n' >unsorted.yaml
run 1 "$C" simulate g --device unsorted.yaml -o bad
err_has "unsorted.csv:3"
printf '0, 0.1\n10, 0.2\n10, 0.3\n' >dup.csv
printf 'device: measured\ntable: dup.csv\n' >dup.yaml
run 1 "$C" simulate g --device dup.yaml -o bad
err_has "dup.csv:3"
printf '0, 0.1\n-1, 0.2\n' >below.csv
printf 'device: measured\ntable: below.csv\n' >below.yaml
run 1 "$C" simulate g --device below.yaml -o bad
err_has "below.csv:2"
printf '0, 0.1\n10, -0.2\n' >neg-sigma.csv
printf 'device: measured\ntable: neg-sigma.csv\n' >neg-sigma.yaml
run 1 "$C" simulate g --device neg-sigma.yaml -o bad
err_has "neg-sigma.csv:2"
nothing_left bad

# levels: in a converter config, with the line at fault.
run 1 "$C" check -c "$DATA/invalid/levels-unsorted.yaml"
err_has "levels-unsorted.yaml:6: the level 5 µS is below the one before it"
run 1 "$C" check -c "$DATA/invalid/levels-duplicate.yaml"
err_has "levels-duplicate.yaml:3: the level 10 µS repeats"
run 1 "$C" check -c "$DATA/invalid/levels-outside.yaml"
err_has "levels-outside.yaml:4: the level 30 µS lies outside"
run 1 "$C" check -c "$DATA/invalid/levels-file-bad-cell.yaml"
err_has "levels-file-bad-cell.yaml:4: 'levels.file': "
err_has "bad-cell.csv:3: column 1: '12.5x' is not a number"
printf 'converter: dual-pair\nf_lst: [1.0, 3.0]\nlevels: 8\n' >lv8.yaml
run 0 "$C" check -c lv8.yaml --tolerance 1
out_has "levels:    8, assigned jointly over the pairs"
printf 'converter: single-device\nlevels: 8\n' >lv8-sd.yaml
run 0 "$C" check -c lv8-sd.yaml --tolerance 1
out_has "levels:    8, assigned plane by plane"
printf 'converter: offset\nlevels: 8\n' >lv8-off.yaml
run 0 "$C" check -c lv8-off.yaml --tolerance 1
out_has "levels:    8, placed by the converter"
run 1 "$C" check -c lv8.yaml
err_has "--tolerance"
# Joint assignment loses less than per-plane snapping: the budget on a
# device without noise is the quantization alone.
printf 'device: gaussian\nsigma: 0\nread_sigma: 0\n' >ideal.yaml
printf 'converter: dual-pair\nf_lst: [1.0, 3.0]\nlevels: {n: 8, assign: per-plane}\n' >lv8-pp.yaml
run 0 "$C" compare -c lv8-pp.yaml -c lv8.yaml --device ideal.yaml --trials 1 \
  --time 0 "$W"
check "joint (lv8.yaml) ranked above per-plane" \
  grep -q "^  1 *lv8.yaml" "$T/.stdout"

# check --device: the budget per time, in text and JSON.
run 0 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --trials 3 \
  --time 0,1h "$W"
out_has "rel RMS"
out_has "quantization"
out_has "global drift compensation"
run 0 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --trials 3 \
  --time 0,1d --json --seed 9 "$W"
out_has '{"converter":"dual-pair","device":"pcm-like","trials":3,"seed":9,"times":[{"time_s":0'
out_has '"time_s":86400'
out_has '"alpha":{"mean":'
run 0 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --trials 2 \
  --no-compensation --json "$W"
out_has '"alpha":{"mean":1.0,"std":0.0}'
run 2 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --trials 0 "$W"
err_has "--trials must be at least 1"
run 2 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --time 0,5 "$W"
err_has "unit"
run 2 "$C" check -c "$CONFIGS/dual-pair.yaml" --device "$PCM"
err_has "WEIGHTS"
run 2 "$C" check -c "$CONFIGS/dual-pair.yaml" --trials 3
err_has "--device"
run 1 "$C" check -c "$CONFIGS/dual-pair.yaml" --device typo.yaml "$W"
err_has "did you mean 'pcm-like'?"

# compare ranks dual-pair [1, 3] first at t = 0, and --json is a list.
run 0 "$C" compare -c "$CONFIGS/single-pair.yaml" -c "$CONFIGS/dual-pair.yaml" \
  --device "$PCM" --trials 3 --time 0 "$W"
out_has "t = 0:"
check "dual-pair ranked first at t = 0" \
  grep -q "^  1 *[^ ]*dual-pair.yaml" "$T/.stdout"
run 0 "$C" compare -c "$CONFIGS/single-pair.yaml" -c "$CONFIGS/dual-pair.yaml" \
  --device "$PCM" --trials 2 --time 0,1h --json "$W"
check "compare --json prints a list of two" \
  grep -q '^\[{"converter":"single-pair".*}, {"converter":"dual-pair".*}\]$' "$T/.stdout"
run 2 "$C" compare --device "$PCM" "$W"
err_has "-c A.yaml"
run 2 "$C" compare -c "$CONFIGS/dual-pair.yaml" "$W"
err_has "--device"
run 2 "$C" compare -c "$CONFIGS/dual-pair.yaml" --device "$PCM" --trials 0 "$W"
err_has "--trials"

finish
