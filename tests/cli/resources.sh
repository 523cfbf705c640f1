#!/bin/sh
# resources.sh - the destination fills up, is read-only, or an input goes
# away mid-run: a clear error, exit status 1, and no partial OUTDIR.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 99
W=$DATA/dual-pair-1-3/weights.npy
CFG=$DATA/dual-pair-1-3/config.yaml

# A full disk, simulated with a file size limit (the shell ignores SIGXFSZ,
# so writes fail with EFBIG instead of killing condmap): 4 planes of 1400
# bytes do not fit in 1 KiB.
run 1 sh -c "trap '' XFSZ; ulimit -f 2; exec \"\$0\" convert -q -c \"\$1\" \"\$2\" -o full" "$C" "$CFG" "$W"
err_has "full"
nothing_left full

# A real full file system and a read-only one: tiny tmpfs mounts in a
# private mount namespace, where root may make them.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  mkdir -p tiny ro
  unshare -m sh -c '
    mount -t tmpfs -o size=4k tmpfs tiny &&
    mount -t tmpfs -o ro tmpfs ro || exit 3
    "$0" convert -q -c "$1" "$2" -o tiny/out 2>tiny-err; echo $? >tiny-status
    ls -A tiny >tiny-left
    "$0" convert -q -c "$1" "$2" -o ro/out 2>ro-err; echo $? >ro-status
    ls -A ro >ro-left
  ' "$C" "$CFG" "$W"
  if [ -f tiny-status ]; then
    check "full tmpfs: exit 1" [ "$(cat tiny-status)" = 1 ]
    check "full tmpfs: says so" grep -q "No space left on device" tiny-err
    check "full tmpfs: nothing left" [ ! -s tiny-left ]
    check "read-only tmpfs: exit 1" [ "$(cat ro-status)" = 1 ]
    check "read-only tmpfs: says so" grep -q "Read-only file system" ro-err
    check "read-only tmpfs: nothing left" [ ! -s ro-left ]
  else
    echo "tmpfs mounts refused here: file-size limit only"
  fi
fi

# A measured plane deleted before restore reads it.
run 0 "$C" convert -q -c "$CFG" "$W" -o out
rm out/g_plus_1.npy
run 1 "$C" restore out -o w.npy
err_has "g_plus_1.npy"
check "no w.npy" [ ! -e w.npy ]

# An input that is a pipe (here cut after 100 bytes): refused at once,
# without waiting for a writer or for the end of the data.
mkfifo cut.npy
head -c 100 "$W" >cut.npy &
writer=$!
run 1 "$C" convert -q cut.npy -o out2
err_has "not a regular file"
nothing_left out2
# The writer may still wait for a reader that never comes.
kill $writer 2>/dev/null
wait $writer 2>/dev/null

finish
