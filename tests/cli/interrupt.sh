#!/bin/sh
# interrupt.sh - a convert or restore killed by SIGTERM (or Ctrl-C, or a
# closed terminal) while it writes leaves no OUTDIR.tmp-* or temporary
# file behind, and still dies of the signal.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 99

# 1024 x 1024 float32 weights (4 MiB): n-pair with 3 factors writes 6
# planes of that size, a window of milliseconds natively and of seconds
# under valgrind.
printf "$F32_ONE$F32_HALF$F32_MINUS_ONE$F32_HALF" >data
i=0
while [ $i -lt 18 ]; do
  cat data data >data2 && mv data2 data
  i=$((i + 1))
done
mknpy w.npy '<f4' '(1024, 1024)' ''
cat data >>w.npy
rm data
CFG=$DATA/n-pair-1-2-3/config.yaml

# Each attempt sends SIGTERM as soon as out.tmp-* appears.  Whenever the
# signal lands, the outcome must be one of two: killed with nothing left,
# or (if the rename came first) a complete out that restore accepts.
caught=0
attempt=0
while [ $attempt -lt 10 ] && [ $caught = 0 ]; do
  attempt=$((attempt + 1))
  rm -rf out
  "$C" convert -q -c "$CFG" w.npy -o out 2>err &
  pid=$!
  seen=0
  while kill -0 $pid 2>/dev/null; do
    for tmp in out.tmp-*; do
      [ -e "$tmp" ] && seen=1
    done
    [ $seen = 1 ] && break
  done
  kill -TERM $pid 2>/dev/null
  wait $pid
  status=$?
  no_temporaries out
  if [ -e out ]; then
    run 0 "$C" restore -q out -o w2.npy
  elif [ $seen = 1 ]; then
    checks=$((checks + 1))
    [ $status = 143 ] || fail "killed mid-write: exit status $status, want 143 (SIGTERM)"
    caught=1
  fi
done
check "a SIGTERM landed while out.tmp-* existed (in $attempt attempts)" \
  [ $caught = 1 ]

# restore writes its weights to .NAME.XXXXXX beside NAME (core's atomic
# write) and renames it.  Killed meanwhile, it removes that temporary and
# keeps the old file.  CSV output (1M cells as text) gives a wide window.
run 0 "$C" convert -q -c "$CFG" w.npy -o planes
echo old >w.csv
caught=0
attempt=0
while [ $attempt -lt 10 ] && [ $caught = 0 ]; do
  attempt=$((attempt + 1))
  "$C" restore -q planes -o w.csv 2>err &
  pid=$!
  seen=0
  while kill -0 $pid 2>/dev/null; do
    for tmp in .w.csv.*; do
      [ -e "$tmp" ] && seen=1
    done
    [ $seen = 1 ] && break
  done
  kill -TERM $pid 2>/dev/null
  wait $pid
  status=$?
  checks=$((checks + 1))
  for tmp in .w.csv.*; do
    [ ! -e "$tmp" ] || fail "restore left '$tmp' behind"
  done
  if [ $seen = 1 ] && [ $status = 143 ]; then
    caught=1
    check "an interrupted restore keeps the old file" grep -qx old w.csv
  else
    echo old >w.csv
  fi
done
check "a SIGTERM landed while restore's temporary existed (in $attempt attempts)" \
  [ $caught = 1 ]

# A signal ignored by whoever started condmap stays ignored (nohup).
run 0 sh -c 'trap "" TERM; exec "$0" convert -q -c "$1" w.npy -o out3' \
  "$C" "$CFG"
check "with SIGTERM ignored, convert still works" [ -f out3/params.yaml ]

finish
