#!/bin/sh
# Regenerates tests/fuzz/corpus/walloc_audio: small wavelet-ae audio streams
# made with the installed model (the fuzz target rewrites the model id, so
# the seeds stay useful when the model changes), plus cut and bit-flipped
# copies. Usage: make_corpus_walloc_audio.sh LCC OUTDIR
set -eu
lcc=$1; out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
ffmpeg -v error -y -f lavfi -i "aevalsrc=0.2*sin(2*PI*440*t):s=44100:d=0.00003" -c:a pcm_s16le "$tmp/one.wav"
ffmpeg -v error -y -f lavfi -i "aevalsrc=0.2*sin(2*PI*440*t)|0.1*sin(2*PI*900*t):s=48000:d=0.3" -c:a pcm_s24le "$tmp/st24.wav"
ffmpeg -v error -y -f lavfi -i "aevalsrc=0.1*sin(2*PI*300*t)|0.1*sin(2*PI*500*t)|0.1*sin(2*PI*700*t)|0.1*sin(2*PI*900*t)|0.1*sin(2*PI*1100*t)|0.1*sin(2*PI*1300*t)|0.1*sin(2*PI*1500*t)|0.1*sin(2*PI*1700*t):s=44100:d=0.01" -c:a pcm_s16le "$tmp/ch8.wav"
# nearly mono stereo: coded mid/side (WAEA version 2, stereo mode 1)
ffmpeg -v error -y -f lavfi -i "aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*440*t)+0.002*sin(2*PI*900*t):s=44100:d=0.3" -c:a pcm_s16le "$tmp/ms.wav"
for n in one st24 ch8 ms; do
    for q in 1 8; do
        "$lcc" encode "$tmp/$n.wav" -o "$out/$n-q$q.lcc" -q $q --profile wavelet-ae --quiet
        f=$out/$n-q$q.lcc
        size=$(stat -c %s "$f")
        head -c $((size * 2 / 3)) "$f" > "$out/$n-q$q-cut.lcc"
        python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[len(b)//2]^=0x21; b[100]^=0x80; open(sys.argv[2],'wb').write(b)" "$f" "$out/$n-q$q-flip.lcc"
    done
done
ls "$out" | wc -l
