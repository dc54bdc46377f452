#!/usr/bin/python3
"""Rate-distortion and speed of the wavelet-ae audio profile against Opus
(libopus through the ffmpeg binary) and FLAC, on the real clips of
../shared/datasets/audio (never trained on). Writes a Markdown report.

  bench/audio/audio_vs_opus.py --lcc build/cli/lcc --data ../shared/datasets/audio -o report.md

Per clip: lcc at every quality level (1..8) and Opus at 6..128 kbps give
rate-distortion curves; each metric is interpolated (linearly in log-rate)
at 16, 32 and 64 kbps (total over the clip's channels, the file's bytes,
headers included) and averaged over the clips that reach that rate.
Metrics on the decoded audio against the source, all channels together:
SNR, SI-SDR (scale-invariant SDR, zero-mean, Le Roux et al. 2019) and the
log-spectral distance (LSD, dB: STFT 2048/512 Hann, per-frame RMS of the
difference of 10 log10 power spectra, averaged over frames). Opus runs at
48 kHz; its output is resampled back to the clip's rate by ffmpeg.
Speed: seconds of audio per second of wall time (x real time) for encode
and decode of all clips, median of --repeats runs, --threads threads for
lcc; ffmpeg/libopus and flac single-process defaults.
Needs: ffmpeg (libopus), flac, python3-numpy."""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
import numpy as np

TARGETS = [16, 32, 64]
OPUS_RATES = [6, 8, 12, 16, 24, 32, 48, 64, 96, 128]


def run(cmd, env=None):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def timed(cmd, env=None):
    t = time.perf_counter()
    run(cmd, env)
    return time.perf_counter() - t


def probe(path):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'a:0', '-show_entries',
                          'stream=sample_rate,channels', '-of', 'csv=p=0', path],
                         check=True, capture_output=True, text=True).stdout.strip().split(',')
    return int(out[0]), int(out[1])


def read_f32(path, rate, ch, n=None):
    """Decode with ffmpeg to float32 at `rate`; cut/pad to n frames."""
    raw = subprocess.run(['ffmpeg', '-v', 'error', '-i', path, '-f', 'f32le', '-ar', str(rate), '-ac', str(ch), '-'],
                         check=True, capture_output=True).stdout
    x = np.frombuffer(raw, dtype=np.float32).reshape(-1, ch).astype(np.float64)
    if n is not None:
        if len(x) >= n:
            x = x[:n]
        else:
            x = np.vstack([x, np.zeros((n - len(x), ch))])
    return x


def lsd(ref, test):
    win, hop = 2048, 512
    w = np.hanning(win)
    vals = []
    for c in range(ref.shape[1]):
        a, b = ref[:, c], test[:, c]
        if len(a) < win:
            a = np.pad(a, (0, win - len(a)))
            b = np.pad(b, (0, win - len(b)))
        nf = 1 + (len(a) - win) // hop
        idx = np.arange(win)[None, :] + hop * np.arange(nf)[:, None]
        pa = np.abs(np.fft.rfft(a[idx] * w, axis=1)) ** 2
        pb = np.abs(np.fft.rfft(b[idx] * w, axis=1)) ** 2
        d = 10 * np.log10(pa + 1e-10) - 10 * np.log10(pb + 1e-10)
        vals.append(np.sqrt(np.mean(d * d, axis=1)))
    return float(np.mean(np.concatenate(vals)))


def metrics(ref, test):
    e = ref - test
    snr = 10 * np.log10(np.sum(ref ** 2) / max(np.sum(e ** 2), 1e-20))
    r = (ref - ref.mean(axis=0)).ravel()
    t = (test - test.mean(axis=0)).ravel()
    a = np.dot(t, r) / max(np.dot(r, r), 1e-20)
    si = 10 * np.log10(np.sum((a * r) ** 2) / max(np.sum((a * r - t) ** 2), 1e-20))
    return {'snr': float(snr), 'si_sdr': float(si), 'lsd': lsd(ref, test)}


def interp(points, target, key):
    """Linear in log(kbps) between the points around target (sorted by rate)."""
    pts = sorted(points, key=lambda p: p['kbps'])
    for lo, hi in zip(pts, pts[1:]):
        if lo['kbps'] <= target <= hi['kbps']:
            if hi['kbps'] == lo['kbps']:
                return lo[key]
            f = (np.log(target) - np.log(lo['kbps'])) / (np.log(hi['kbps']) - np.log(lo['kbps']))
            return lo[key] + f * (hi[key] - lo[key])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lcc', default='build/cli/lcc')
    ap.add_argument('--data', default='../shared/datasets/audio')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('-o', '--output', default='-')
    ap.add_argument('--json')
    a = ap.parse_args()
    clips = sorted(f for f in os.listdir(a.data) if f.endswith('.flac'))
    tmp = tempfile.mkdtemp(prefix='lcc-audio-bench-')
    res = {}
    dur_total = 0.0
    for clip in clips:
        path = os.path.join(a.data, clip)
        rate, ch = probe(path)
        ref = read_f32(path, rate, ch)
        n = len(ref)
        dur = n / rate
        dur_total += dur
        r = {'rate': rate, 'channels': ch, 'seconds': dur, 'lcc': [], 'opus': []}
        for q in range(1, 9):
            enc = os.path.join(tmp, 'a.lcc')
            dec = os.path.join(tmp, 'a.wav')
            run([a.lcc, 'encode', path, '-o', enc, '-q', str(q), '--profile', 'wavelet-ae', '--quiet',
                 '--threads', str(a.threads)])
            run([a.lcc, 'decode', enc, '-o', dec, '--quiet', '--threads', str(a.threads)])
            m = metrics(ref, read_f32(dec, rate, ch, n))
            m.update(q=q, kbps=os.path.getsize(enc) * 8 / dur / 1000)
            r['lcc'].append(m)
        for b in OPUS_RATES:
            enc = os.path.join(tmp, 'a.opus')
            run(['ffmpeg', '-v', 'error', '-y', '-i', path, '-c:a', 'libopus', '-b:a', '%dk' % b, enc])
            m = metrics(ref, read_f32(enc, rate, ch, n))
            m.update(target=b, kbps=os.path.getsize(enc) * 8 / dur / 1000)
            r['opus'].append(m)
        res[clip] = r
        print('%s: done' % clip, file=sys.stderr)
    # speed: all clips, median of repeats
    def speed(enc_cmds, dec_cmds):
        te, td = [], []
        for _ in range(a.repeats):
            te.append(sum(timed(c) for c in enc_cmds))
            td.append(sum(timed(c) for c in dec_cmds))
        return dur_total / statistics.median(te), dur_total / statistics.median(td)
    sp = {}
    for q in (1, 4, 8):
        e, d = [], []
        for i, clip in enumerate(clips):
            f = os.path.join(tmp, 's%d.lcc' % i)
            e.append([a.lcc, 'encode', os.path.join(a.data, clip), '-o', f, '-q', str(q), '--profile',
                      'wavelet-ae', '--quiet', '--threads', str(a.threads)])
            d.append([a.lcc, 'decode', f, '-o', os.path.join(tmp, 's%d.wav' % i), '--quiet', '--threads',
                      str(a.threads)])
        sp['lcc q%d' % q] = speed(e, d)
    for b in (16, 64):
        e, d = [], []
        for i, clip in enumerate(clips):
            f = os.path.join(tmp, 's%d.opus' % i)
            e.append(['ffmpeg', '-v', 'error', '-y', '-i', os.path.join(a.data, clip), '-c:a', 'libopus', '-b:a',
                      '%dk' % b, f])
            d.append(['ffmpeg', '-v', 'error', '-y', '-i', f, '-ar', str(res[clip]['rate']), os.path.join(tmp, 'o%d.wav' % i)])
        sp['opus %dk' % b] = speed(e, d)
    e, d = [], []
    for i, clip in enumerate(clips):
        f = os.path.join(tmp, 'f%d.flac' % i)
        w = os.path.join(tmp, 'f%d.wav' % i)
        run(['ffmpeg', '-v', 'error', '-y', '-i', os.path.join(a.data, clip), w])
        e.append(['flac', '-s', '-f', '-5', w, '-o', f])
        d.append(['flac', '-s', '-f', '-d', f, '-o', os.path.join(tmp, 'g%d.wav' % i)])
    sp['flac -5'] = speed(e, d)

    out = []
    P = out.append
    P('Per clip, interpolated at the target total bitrate (— : the codec does not reach that rate on this clip).\n')
    P('| clip | ch | kbps | lcc SNR | Opus SNR | lcc SI-SDR | Opus SI-SDR | lcc LSD | Opus LSD |')
    P('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    mean = {t: {k: [] for k in ('ls', 'os', 'li', 'oi', 'll', 'ol')} for t in TARGETS}
    fmt = lambda v: '—' if v is None else '%.2f' % v
    for clip, r in res.items():
        for t in TARGETS:
            v = [interp(r['lcc'], t, 'snr'), interp(r['opus'], t, 'snr'), interp(r['lcc'], t, 'si_sdr'),
                 interp(r['opus'], t, 'si_sdr'), interp(r['lcc'], t, 'lsd'), interp(r['opus'], t, 'lsd')]
            P('| %s | %d | %d | %s |' % (clip.replace('.flac', ''), r['channels'], t, ' | '.join(fmt(x) for x in v)))
            if None not in v:
                for k, x in zip(('ls', 'os', 'li', 'oi', 'll', 'ol'), v):
                    mean[t][k].append(x)
    P('\nMean over the clips where both codecs reach the rate:\n')
    P('| kbps | clips | lcc SNR | Opus SNR | lcc SI-SDR | Opus SI-SDR | lcc LSD (dB, lower is better) | Opus LSD |')
    P('|---:|---:|---:|---:|---:|---:|---:|---:|')
    for t in TARGETS:
        m = mean[t]
        if m['ls']:
            P('| %d | %d | %s |' % (t, len(m['ls']), ' | '.join('%.2f' % np.mean(m[k]) for k in
                                                             ('ls', 'os', 'li', 'oi', 'll', 'ol'))))
    P('\nRaw points (kbps / SNR / SI-SDR / LSD):\n')
    for clip, r in res.items():
        P('- `%s` (%d Hz, %d ch, %.1f s): lcc %s; Opus %s' % (
            clip, r['rate'], r['channels'], r['seconds'],
            ', '.join('q%d %.1f/%.1f/%.1f/%.2f' % (p['q'], p['kbps'], p['snr'], p['si_sdr'], p['lsd']) for p in r['lcc']),
            ', '.join('%.1f/%.1f/%.1f/%.2f' % (p['kbps'], p['snr'], p['si_sdr'], p['lsd']) for p in r['opus'])))
    P('\nSpeed, all %d clips (%.1f s of audio), x real time, median of %d runs (lcc: --threads %d; '
      'process start and model load included):\n' % (len(clips), dur_total, a.repeats, a.threads))
    P('| codec | encode x RT | decode x RT |')
    P('|---|---:|---:|')
    for k, (e, d) in sp.items():
        P('| %s | %.1f | %.1f |' % (k, e, d))
    text = '\n'.join(out) + '\n'
    if a.output == '-':
        sys.stdout.write(text)
    else:
        open(a.output, 'w').write(text)
    if a.json:
        json.dump({'clips': res, 'speed': sp}, open(a.json, 'w'), indent=1)


if __name__ == '__main__':
    main()
