#!/bin/sh
# The frei0r plugin through the real ffmpeg binary: a frame filtered by
# `-vf frei0r=lcc:Q` must equal `lcc encode -q Q` + `lcc decode` of the same
# image. Usage: test_frei0r.sh LCC PLUGIN_DIR IMAGE WORKDIR
set -u
lcc=$1; plugdir=$2; img=$3; work=$4
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed: skipped"; exit 77; }
mkdir -p "$work"
fail=0
for q in $("$lcc" profiles --json | tr '{' '\n' | grep '"modality": "image"' | head -1 \
          | sed 's/.*"qualities": \[\([^]]*\)\].*/\1/' | tr -d ' ' | tr ',' ' '); do
    FREI0R_PATH=$plugdir ffmpeg -v error -y -i "$img" -vf "frei0r=lcc:$q" -frames:v 1 -pix_fmt rgb24 \
        "$work/frei0r-q$q.png" || { echo "ffmpeg with frei0r=lcc:$q failed"; fail=1; continue; }
    "$lcc" encode "$img" -o "$work/q$q.lcc" -q "$q" --quiet && "$lcc" decode "$work/q$q.lcc" -o "$work/lcc-q$q.png" --quiet \
        || { echo "lcc round trip at q$q failed"; fail=1; continue; }
    if "$lcc" compare "$work/lcc-q$q.png" "$work/frei0r-q$q.png" --json | grep -q '"identical": true'; then
        echo "q$q: frei0r frame identical to lcc encode+decode"
    else
        echo "q$q: frei0r frame differs from lcc encode+decode"; fail=1
    fi
done
[ $fail = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
