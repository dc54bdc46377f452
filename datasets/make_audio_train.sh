#!/bin/sh
# Builds the training set of the wavelet-ae audio model (models/MODELS.md,
# "wavelet-ae-audio.lccw") from Debian packages only; the audio itself is
# not committed. Never the evaluation clips in ../shared/datasets/audio.
#
#   music:  MIDI pieces generated here (seeded random progressions, melody,
#           bass, drums, random General-MIDI programs and pans), rendered
#           in stereo at 44.1 kHz by fluidsynth with FluidR3_GM.sf2
#           (packages fluidsynth, fluid-soundfont-gm)
#   speech: espeak-ng (package espeak-ng) reading paragraphs of the
#           license texts in /usr/share/common-licenses, several voices,
#           resampled to 44.1 kHz by ffmpeg
#   produced: orchestral game music as released (package wesnoth-1.16-music,
#           GPL-2+, Ogg Vorbis 44.1 kHz stereo): 90 s of each track from 0:20,
#           decoded to WAV by ffmpeg. Real instrument timbres, reverb and
#           mixing that the synthesized sets lack (Vorbis-coded at ~160 kbps,
#           so the top octave is thinned). Skipped when the package is absent.
#
# Usage: datasets/make_audio_train.sh OUTDIR [NMUSIC] [NSPEECH] [NPRODUCED]
# Needs: apt-get install fluidsynth fluid-soundfont-gm espeak-ng ffmpeg python3
#        (and wesnoth-1.16-music for OUTDIR/produced)
set -eu
out=${1:?usage: make_audio_train.sh OUTDIR [NMUSIC] [NSPEECH]}
nmusic=${2:-48}
nspeech=${3:-40}
nproduced=${4:-41}
sf=/usr/share/sounds/sf2/FluidR3_GM.sf2
for t in fluidsynth espeak-ng ffmpeg python3; do
    command -v $t >/dev/null || { echo "missing $t: apt-get install fluidsynth fluid-soundfont-gm espeak-ng ffmpeg python3" >&2; exit 1; }
done
[ -f $sf ] || { echo "missing $sf: apt-get install fluid-soundfont-gm" >&2; exit 1; }
mkdir -p "$out/midi" "$out/music" "$out/speech"
python3 - "$out/midi" "$nmusic" <<'PY'
import random, struct, sys
outdir, n = sys.argv[1], int(sys.argv[2])
def vlq(v):
    b = [v & 0x7f]
    v >>= 7
    while v:
        b.append(0x80 | (v & 0x7f)); v >>= 7
    return bytes(reversed(b))
def track(events):
    events.sort(key=lambda e: (e[0], e[1]))
    data, t = b'', 0
    for tick, _, msg in events:
        data += vlq(tick - t) + msg; t = tick
    data += b'\x00\xff\x2f\x00'
    return b'MTrk' + struct.pack('>I', len(data)) + data
major, minor = [0, 2, 4, 5, 7, 9, 11], [0, 2, 3, 5, 7, 8, 10]
for k in range(n):
    r = random.Random(1000 + k)
    ppq, bars = 480, r.randint(12, 20)
    tempo = r.randint(70, 160)
    root = r.randint(40, 52)
    scale = major if r.random() < 0.6 else minor
    prog = [r.choice([0, 3, 4, 5, 1, 2]) for _ in range(4)]
    ev = [(0, 0, b'\xff\x51\x03' + (60000000 // tempo).to_bytes(3, 'big'))]
    parts = [(0, r.randint(0, 87)), (1, r.randint(0, 87)), (2, r.choice([32, 33, 34, 35, 38, 39])),
             (3, r.randint(40, 95))]
    for ch, pg in parts:
        ev.append((0, 1, bytes([0xc0 | ch, pg])))
        ev.append((0, 1, bytes([0xb0 | ch, 10, r.randint(10, 117)])))
        ev.append((0, 1, bytes([0xb0 | ch, 7, r.randint(70, 120)])))
    def note(ch, t, d, p, v):
        p = max(0, min(127, p))
        ev.append((t, 2, bytes([0x90 | ch, p, v])))
        ev.append((t + d, 1, bytes([0x80 | ch, p, 0])))
    def deg(d, octv=0):
        return root + 12 * octv + scale[d % 7] + 12 * (d // 7)
    bar = 4 * ppq
    for b in range(bars):
        c = prog[b % 4]
        t0 = b * bar
        for d in (c, c + 2, c + 4):     # chord pad / strum
            if r.random() < 0.5:
                note(1, t0, bar - 10, deg(d, 1), r.randint(50, 90))
            else:
                for beat in range(4):
                    note(1, t0 + beat * ppq, ppq - 20, deg(d, 1), r.randint(40, 90))
        for beat in range(4):           # bass
            note(2, t0 + beat * ppq, ppq - 30, deg(c if beat % 2 == 0 else c + 4, -1), r.randint(70, 110))
        t = t0                          # melody
        while t < t0 + bar:
            d = r.choice([ppq // 2, ppq // 2, ppq, ppq // 4, 2 * ppq])
            if r.random() < 0.85:
                note(0, t, d - 10, deg(c + r.choice([0, 2, 4, 1, 3, 5, 7]), 2), r.randint(60, 120))
            t += d
        if r.random() < 0.8:            # drums (channel 10)
            for s in range(8):
                ts = t0 + s * ppq // 2
                note(9, ts, 60, 42, r.randint(50, 90))
                if s % 4 == 0: note(9, ts, 60, 36, 110)
                if s % 4 == 2: note(9, ts, 60, 38, 100)
    with open('%s/piece%03d.mid' % (outdir, k), 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, ppq) + track(ev))
PY
for m in "$out"/midi/*.mid; do
    b=$(basename "$m" .mid)
    [ -s "$out/music/$b.wav" ] || fluidsynth -ni -q -g 0.6 -r 44100 -O s16 -T wav -F "$out/music/$b.wav" $sf "$m" >/dev/null 2>&1
done
voices="en en-us en+f3 en+m3 de fr es it en+f2 en-gb"
i=0
cat /usr/share/common-licenses/GPL-3 /usr/share/common-licenses/Apache-2.0 | tr -s ' \n' '  ' | fold -s -w 600 |
while read -r para && [ $i -lt "$nspeech" ]; do
    v=$(echo $voices | cut -d' ' -f$((i % 10 + 1)))
    f=$(printf '%s/speech/speech%03d' "$out" $i)
    if [ ! -s "$f.wav" ]; then
        espeak-ng -v "$v" -s $((140 + (i * 7) % 60)) -p $((30 + (i * 13) % 50)) -w "$f.tmp.wav" "$para" 2>/dev/null
        ffmpeg -nostdin -v error -y -i "$f.tmp.wav" -ar 44100 -c:a pcm_s16le "$f.wav"
        rm -f "$f.tmp.wav"
    fi
    i=$((i + 1))
done
wes=/usr/share/games/wesnoth/1.16/data/core/music
if [ -d $wes ]; then
    mkdir -p "$out/produced"
    ls $wes/*.ogg | head -n "$nproduced" | while read -r o; do
        f="$out/produced/$(basename "$o" .ogg).wav"
        [ -s "$f" ] || ffmpeg -nostdin -v error -y -ss 20 -t 90 -i "$o" -ar 44100 -c:a pcm_s16le "$f"
    done
else
    echo "no $wes (apt-get install wesnoth-1.16-music): skipping the produced-music set" >&2
fi
echo "training set in $out: $(ls "$out"/music/*.wav | wc -l) music, $(ls "$out"/speech/*.wav | wc -l) speech," \
    "$(ls "$out"/produced/*.wav 2>/dev/null | wc -l) produced-music files"
