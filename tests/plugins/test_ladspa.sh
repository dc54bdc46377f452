#!/bin/sh
# The LADSPA plugins through the real ffmpeg binary: a stereo signal of two
# codec chunks (7 s, so the cross-fade is crossed) filtered by
# `-af ladspa=file=lcc:plugin=lcc_roundtrip:c=c0=Q:latency=1` (one instance
# per channel) must equal `lcc encode -q Q` + `lcc decode` of the same
# audio within float rounding (max error <= 2 LSB of 16-bit, SNR >= 60 dB),
# with the same length; and so must a nearly mono stereo signal (which the
# encoder codes as mid/side) through `lcc_roundtrip_stereo`.
# Usage: test_ladspa.sh LCC PLUGIN_DIR WORKDIR
set -u
lcc=$1; plugdir=$2; work=$3
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed: skipped"; exit 77; }
mkdir -p "$work"
in=$work/stereo7s.wav
ffmpeg -v error -y -f lavfi \
    -i "aevalsrc=0.3*sin(2*PI*440*t)*(1+0.5*sin(2*PI*0.7*t))+0.05*sin(2*PI*3100*t)|0.25*sin(2*PI*660*t+1)+0.1*sin(2*PI*5200*t)*sin(2*PI*0.3*t):s=44100:d=7" \
    -c:a pcm_s16le "$in" || { echo "cannot make the test signal"; exit 1; }
mono=$work/nearmono7s.wav
ffmpeg -v error -y -f lavfi \
    -i "aevalsrc=0.3*sin(2*PI*440*t)*(1+0.5*sin(2*PI*0.7*t))+0.05*sin(2*PI*3100*t)|0.3*sin(2*PI*440*t)*(1+0.5*sin(2*PI*0.7*t))+0.04*sin(2*PI*3100*t):s=44100:d=7" \
    -c:a pcm_s16le "$mono" || { echo "cannot make the test signal"; exit 1; }
fail=0
for run in "1 lcc_roundtrip" "4 lcc_roundtrip" "8 lcc_roundtrip" "2 lcc_roundtrip_stereo" "6 lcc_roundtrip_stereo"; do
    q=${run% *}; plugin=${run#* }
    if [ "$plugin" = lcc_roundtrip_stereo ]; then in=$mono; fi
    LADSPA_PATH=$plugdir ffmpeg -v error -y -i "$in" \
        -af "ladspa=file=lcc:plugin=$plugin:c=c0=$q:latency=1" -c:a pcm_s16le "$work/ladspa-q$q.wav" \
        || { echo "ffmpeg with the $plugin plugin at q$q failed"; fail=1; continue; }
    "$lcc" encode "$in" -o "$work/q$q.lcc" -q "$q" --quiet && "$lcc" decode "$work/q$q.lcc" -o "$work/lcc-q$q.wav" --quiet \
        || { echo "lcc round trip at q$q failed"; fail=1; continue; }
    r=$("$lcc" compare "$work/lcc-q$q.wav" "$work/ladspa-q$q.wav" --json) || { echo "q$q: $r"; fail=1; continue; }
    err=$(echo "$r" | sed 's/.*"max_abs_error": \([0-9]*\).*/\1/')
    snr=$(echo "$r" | sed 's/.*"snr": \([-0-9.]*\).*/\1/' | cut -d. -f1)
    orig=$("$lcc" compare "$in" "$work/ladspa-q$q.wav" --json | sed 's/.*"snr": \([-0-9.]*\).*/\1/')
    if [ "$err" -le 2 ] && [ "$snr" -ge 60 ]; then
        echo "q$q: $plugin output = lcc encode+decode (max error $err, SNR $snr dB); vs input SNR $orig dB"
    else
        echo "q$q: $plugin output differs from lcc encode+decode: $r"; fail=1
    fi
done
[ $fail = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
