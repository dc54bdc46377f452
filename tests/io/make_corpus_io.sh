#!/bin/sh
# Regenerates the seed corpora of the io fuzz targets in tests/fuzz/corpus/
# {png,jpeg,pnm,y4m,audio,av}: a few small valid files per format, made with
# ffmpeg and cjpeg (libjpeg-turbo), plus for each a truncated copy and
# copies with a few bits flipped (fixed positions, so the output is stable
# for given tool versions). Files of other names in those directories (inputs
# merged in from libFuzzer runs, named by their SHA-1) are kept.
# Not run by the tests. Usage: make_corpus_io.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -v error -nostdin -y "$@"; }
src="-f lavfi -i testsrc=size=24x16:rate=25"
tone="-f lavfi -i sine=frequency=440:sample_rate=8000:duration=0.05"

mkdir -p "$tmp/png" "$tmp/jpeg" "$tmp/pnm" "$tmp/y4m" "$tmp/audio" "$tmp/av"
for f in gray ya8 rgb24 rgba rgb48be rgba64be gray16be ya16be pal8 monob; do
    ff $src -frames:v 1 -pix_fmt $f "$tmp/png/$f.png"
done
ff $src -frames:v 1 -s 1x1 -pix_fmt rgb24 "$tmp/png/one.png"
ff $src -frames:v 1 -pix_fmt rgb24 -f image2pipe -vcodec ppm "$tmp/src.ppm"
ff $src -frames:v 1 -pix_fmt gray -f image2pipe -vcodec pgm "$tmp/src.pgm"
cjpeg -quality 80 "$tmp/src.ppm" > "$tmp/jpeg/base.jpg"
cjpeg -quality 80 -progressive "$tmp/src.ppm" > "$tmp/jpeg/prog.jpg"
cjpeg -quality 80 -restart 1 -sample 1x1 "$tmp/src.ppm" > "$tmp/jpeg/rst444.jpg"
cjpeg -quality 80 -arithmetic "$tmp/src.ppm" > "$tmp/jpeg/arith.jpg"
cjpeg -quality 80 -grayscale "$tmp/src.pgm" > "$tmp/jpeg/gray.jpg"
cp "$tmp/src.ppm" "$tmp/pnm/rgb8.ppm"
cp "$tmp/src.pgm" "$tmp/pnm/gray8.pgm"
ff $src -frames:v 1 -pix_fmt rgb48be -f image2pipe -vcodec ppm "$tmp/pnm/rgb16.ppm"
printf 'P5\n# comment\n3 2\n1000\n\0\0\0\1\3\347\3\350\1\0\0\3' > "$tmp/pnm/maxval1000.pgm"
for p in yuv420p yuv422p yuv444p gray yuv420p10le yuv444p12le; do
    ff $src -frames:v 2 -pix_fmt $p -strict -1 -f yuv4mpegpipe "$tmp/y4m/$p.y4m"
done
printf 'YUV4MPEG2 W2 H2 F30000:1001 It A0:0 C420paldv XYSCSS=420PALDV\nFRAME Ixyz\n\1\2\3\4\5\6' > "$tmp/y4m/tags.y4m"
ff $tone -c:a pcm_s16le "$tmp/audio/s16.wav"
ff $tone -ac 2 -c:a pcm_s24le "$tmp/audio/s24.wav"
ff $tone -c:a pcm_u8 "$tmp/audio/u8.wav"
ff $tone -c:a pcm_f32le "$tmp/audio/f32.wav"
ff $tone -c:a pcm_s16be "$tmp/audio/s16.aiff"
ff $tone -c:a pcm_mulaw "$tmp/audio/mulaw.au"
ff $tone -c:a flac "$tmp/audio/s16.flac"
ff $tone -ac 2 -c:a libvorbis "$tmp/audio/vorbis.ogg"
ff $src -frames:v 3 -c:v ffv1 -pix_fmt yuv420p "$tmp/av/ffv1.mkv"
ff $src -frames:v 3 -c:v ffv1 -level 3 -pix_fmt yuv444p10le "$tmp/av/ffv1_10.nut"
ff $src -frames:v 3 -c:v libx264 -pix_fmt yuv420p "$tmp/av/h264.mp4"
ff $src -frames:v 3 -c:v mjpeg -pix_fmt yuvj422p "$tmp/av/mjpeg.avi"
ff $src -frames:v 2 -c:v gif "$tmp/av/anim.gif"
ff $src -frames:v 2 -c:v libvpx-vp9 -pix_fmt yuv420p "$tmp/av/vp9.webm"
ff $src -frames:v 1 -pix_fmt rgb24 -c:v png -f image2pipe "$tmp/av/rgb.png"
ff $src -frames:v 1 -pix_fmt pal8 "$tmp/av/pal.bmp"
ff $src -frames:v 1 -pix_fmt rgb48le "$tmp/av/rgb16.tiff"
ff $tone -c:a alac "$tmp/av/alac.m4a"
ff $tone -c:a libopus "$tmp/av/opus.webm"

# Adam7-interlaced PNGs (FFmpeg's encoder does not interlace).
python3 - "$tmp/png" <<'PY'
import struct, sys, zlib
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
def adam7(path, w, h, depth, color, nch):
    bps = depth // 8 * nch
    raw = bytearray()
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
        xs = range(x0, w, dx)
        if not len(xs):
            continue
        for y in range(y0, h, dy):
            raw.append(0)
            for x in xs:
                raw += bytes(((x * 37 + y * 11 + k * 5) & 0xff) for k in range(bps))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 1))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(png)
adam7(sys.argv[1] + "/adam7_rgb.png", 11, 7, 8, 2, 3)
adam7(sys.argv[1] + "/adam7_ga16.png", 5, 9, 16, 4, 2)
PY

python3 - "$tmp" "$out" <<'PY'
import os, sys
tmp, out = sys.argv[1], sys.argv[2]
for t in ("png", "jpeg", "pnm", "y4m", "audio", "av"):
    d = os.path.join(out, t)
    os.makedirs(d, exist_ok=True)
    for name in sorted(os.listdir(os.path.join(tmp, t))):
        data = open(os.path.join(tmp, t, name), "rb").read()
        base = os.path.splitext(name)[0]
        open(os.path.join(d, base), "wb").write(data)
        open(os.path.join(d, base + "-cut"), "wb").write(data[: len(data) * 2 // 3])
        for k in range(2):
            b = bytearray(data)
            for j in range(3):
                pos = (len(b) * (2 * j + 1 + k)) // 8
                b[pos] ^= 1 << ((pos + k) % 8)
            open(os.path.join(d, "%s-flip%d" % (base, k)), "wb").write(bytes(b))
PY
du -sh "$out"/png "$out"/jpeg "$out"/pnm "$out"/y4m "$out"/audio "$out"/av
