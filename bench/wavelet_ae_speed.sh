#!/bin/sh
# wavelet-ae image speed with 2 threads on four Kodak images, the anchors'
# tools timed in the same loop (BENCHMARKS.md, "wavelet-ae speed with 2
# threads"). Usage: bench/wavelet_ae_speed.sh [LCC] [KODAK_DIR]
# Needs cjpeg/djpeg (libjpeg-turbo-progs), cwebp/dwebp (webp), ffmpeg, python3.
set -eu
lcc=${1:-build/cli/lcc}
kodak=${2:-../shared/datasets/kodak}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
for im in 01 07 13 21; do
    f=$kodak/kodim$im.png
    "$lcc" --threads 2 bench codec "$f" --profile wavelet-ae -q 6 --repeat 5 --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print('kodim$im lcc enc %.3f s = %.2f MP/s, dec %.3f s = %.2f MP/s' % (d['encode_seconds'],
      d['encode_megapixels_per_s'], d['decode_seconds'], d['decode_megapixels_per_s']), end='')"
    ffmpeg -v error -y -i "$f" "$tmp/in.ppm"   # cjpeg reads no PNG
    a=$(t cjpeg -optimize -quality 75 -outfile "$tmp/a.jpg" "$tmp/in.ppm")
    b=$(t djpeg -outfile "$tmp/a.ppm" "$tmp/a.jpg")
    c=$(t cwebp -quiet -m 6 -q 75 "$f" -o "$tmp/a.webp")
    d=$(t dwebp -quiet "$tmp/a.webp" -o "$tmp/a.png")
    e=$(t "$lcc" --threads 2 --quiet encode "$f" -o "$tmp/a.lcc" -q 6)
    g=$(t "$lcc" --threads 2 --quiet decode "$tmp/a.lcc" -o "$tmp/b.png")
    echo "; cjpeg/djpeg $a / $b s; cwebp/dwebp $c / $d s; lcc encode/decode process $e / $g s"
done
