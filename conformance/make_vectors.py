#!/usr/bin/env python3
"""Recreate the conformance vectors (conformance/vectors/).

    make_vectors.py --lcc build/cli/lcc [--out conformance/vectors] [--version-bump]

Every input is synthesized here (deterministic, no data files), encoded with
the given lcc (LCC_CPU=c, one thread, the models in vectors/models/), and
valid streams are turned into invalid ones by editing their bytes (with the
CRCs repaired where the point is to reach the check behind them).

The manifest vectors/vectors.txt lists one vector per line:

    NAME.lcc  md5    MD5                        bit-exact: decoded samples
    NAME.lcc  psnr   MD5  REF.png  DB  MAXERR   float: >= DB dB PSNR and
                                                 <= MAXERR max error against
                                                 REF.png; MD5 of the reference
                                                 decode (informative)
    NAME.lcc  error  LCC_E...                   must be rejected with it

Vectors are a promise: an existing vector file is never changed. If a stream
comes out different from the vector on disk, the script stops and says so: a
change of the bitstream needs a new container version (SPEC.md §2.3), and only
with --version-bump, and only if the new streams carry a different version,
does it replace them. The reference outputs and the manifest follow the
vectors.
"""
import argparse
import hashlib
import math
import os
import struct
import subprocess
import sys
import tempfile
import wave
import zlib

HEADER = 64


# ---- synthetic inputs ------------------------------------------------------

def png_write(path, w, h, ch, depth, pix):
    """pix: row-major interleaved samples."""
    color = {1: 0, 2: 4, 3: 2, 4: 6}[ch]
    raw = bytearray()
    bps = 2 if depth == 16 else 1
    for y in range(h):
        raw.append(0)
        row = pix[y * w * ch:(y + 1) * w * ch]
        for v in row:
            raw += struct.pack('>H', v) if bps == 2 else bytes([v])

    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, color, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b''))
    open(path, 'wb').write(data)


def image(w, h, ch, depth, seed):
    """A smooth picture with edges and a little texture."""
    top = (1 << depth) - 1
    pix = []
    for y in range(h):
        for x in range(w):
            for c in range(ch):
                if c == ch - 1 and ch in (2, 4):        # alpha: a ramp with a hole
                    v = top if (x - w // 2) ** 2 + (y - h // 2) ** 2 > (min(w, h) // 4) ** 2 else (x * top) // max(w - 1, 1)
                else:
                    f = 0.5 + 0.3 * math.sin((x + 3 * c + seed) / 5.0) * math.cos((y - c) / 7.0)
                    f += 0.15 if (x // 8 + y // 8 + seed) % 3 == 0 else 0.0
                    f += 0.03 * (((x * 73 + y * 151 + c * 31 + seed * 17) % 29) / 29.0 - 0.5)
                    v = int(round(min(max(f, 0.0), 1.0) * top))
                pix.append(v)
    return pix


def wav_write(path, rate, ch, bits, frames, seed):
    w = wave.open(path, 'wb')
    w.setnchannels(ch)
    w.setsampwidth(bits // 8)
    w.setframerate(rate)
    amp = (1 << (bits - 1)) - 1
    out = bytearray()
    for i in range(frames):
        for c in range(ch):
            v = int(amp * 0.6 * math.sin(2 * math.pi * (220 + 110 * c + seed) * i / rate))
            v += ((i * 7919 + c * 104729 + seed) % 97) - 48
            v = max(-amp - 1, min(amp, v))
            if bits == 8:
                out.append(v + 128)
            else:
                out += (v & ((1 << bits) - 1)).to_bytes(bits // 8, 'little')
    w.writeframes(bytes(out))
    w.close()


def y4m_write(path, w, h, frames, chroma, depth):
    name = {'400': 'mono', '420': '420', '422': '422', '444': '444'}[chroma]
    tag = (name + ('p%d' % depth if depth > 8 else ('jpeg' if chroma == '420' else ''))) if chroma != '400' \
        else ('mono' + (str(depth) if depth > 8 else ''))
    cw = {'400': 0, '420': (w + 1) // 2, '422': (w + 1) // 2, '444': w}[chroma]
    chh = {'400': 0, '420': (h + 1) // 2, '422': h, '444': h}[chroma]
    top = (1 << depth) - 1
    out = bytearray(b'YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C%s\n' % (w, h, tag.encode()))
    for f in range(frames):
        out += b'FRAME\n'
        for (pw, ph, k) in [(w, h, 0), (cw, chh, 1), (cw, chh, 2)]:
            for y in range(ph):
                for x in range(pw):
                    v = (x * 37 + y * 11 + f * 53 + k * 101) * (top // 255 if depth > 8 else 1) % (top + 1)
                    out += struct.pack('<H', v) if depth > 8 else bytes([v & 255])
    open(path, 'wb').write(bytes(out))


def idx_write(path, n, rows, cols, seed):
    """An IDX file of n 8-bit images: strokes on a dark background."""
    out = bytearray(b'\0\0\x08\x03' + struct.pack('>III', n, rows, cols))
    for k in range(n):
        a, b = (k * 7 + seed) % cols, (k * 3 + seed) % rows
        for y in range(rows):
            for x in range(cols):
                v = 0
                if x == a or y == b or (x + y + k) % 5 == 0:
                    v = 255 - ((x * 31 + y * 17 + k * 13) % 64)
                out.append(v)
    open(path, 'wb').write(bytes(out))


# ---- stream editing --------------------------------------------------------

def chunks(d):
    """[(offset, type, payload)] of a well-formed stream."""
    out, p = [], HEADER
    while p + 12 <= len(d):
        n = struct.unpack_from('<I', d, p + 4)[0]
        out.append((p, d[p:p + 4], d[p + 8:p + 8 + n]))
        p += 12 + n
    return out


def fix_header(d):
    d = bytearray(d)
    struct.pack_into('<I', d, 60, zlib.crc32(bytes(d[:60])))
    return bytes(d)


def set_header(d, off, fmt, v):
    d = bytearray(d)
    struct.pack_into(fmt, d, off, v)
    return fix_header(d)


def mkchunk(t, payload):
    return t + struct.pack('<I', len(payload)) + payload + struct.pack('<I', zlib.crc32(t + payload))


def rebuild(d, cl):
    return d[:HEADER] + b''.join(mkchunk(t, p) for t, p in cl)


def edit_chunks(d, fn):
    return rebuild(d, fn([(t, p) for _, t, p in chunks(d)]))


def replace_chunk(d, typ, fn):
    return edit_chunks(d, lambda cl: [(t, fn(p) if t == typ else p) for t, p in cl])


def flip(p, i):
    p = bytearray(p)
    p[i % len(p)] ^= 0x5A
    return bytes(p)


# ---- the vectors -----------------------------------------------------------

class Gen:
    def __init__(self, lcc, out, tmp):
        self.lcc, self.out, self.tmp = lcc, out, tmp
        self.models = os.path.join(out, 'models')
        self.streams = {}    # name -> bytes
        self.lines = []      # manifest lines (name first)
        self.refs = {}       # reference png name -> bytes

    def run(self, *args, env_cpu='c'):
        env = dict(os.environ, LCC_CPU=env_cpu)
        r = subprocess.run([self.lcc, '--quiet', '--threads', '1', '--model-dir', self.models] + list(args),
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode:
            sys.exit('make_vectors: lcc %s failed: %s' % (' '.join(args), r.stderr.decode()))
        return r.stdout

    def encode(self, src, profile, quality=None, model=None):
        dst = os.path.join(self.tmp, 'enc.lcc')
        args = ['encode', src, '-o', dst, '--profile', profile]
        if profile == 'wavelet-ae':
            # the model is always named: the encoder's default (the
            # hyperprior model of models/) changes as training goes on
            args += ['--model', model or 'wavelet-ae-image.lccw']
            # nearest rounding, as when the vectors were made: the
            # encoder's rate-distortion rounding (2026-11-27) changes its
            # streams, not what a decoder must do with them
            args += ['--no-rdoq']
        elif model:
            args += ['--model', model]
        if quality is not None:
            args += ['-q', str(quality)]
        self.run(*args)
        return open(dst, 'rb').read()

    def md5(self, data):
        p = os.path.join(self.tmp, 'md5.lcc')
        open(p, 'wb').write(data)
        return self.run('decode', p, '--md5').split()[0].decode()

    def add_md5(self, name, data):
        self.streams[name] = data
        self.lines.append('%s md5 %s' % (name, self.md5(data)))

    def add_psnr(self, name, data, db=60, maxerr=1):
        self.streams[name] = data
        p = os.path.join(self.tmp, 'ref.lcc')
        open(p, 'wb').write(data)
        ref = name.replace('.lcc', '.ref.png')
        rp = os.path.join(self.tmp, ref)
        self.run('decode', p, '-o', rp)
        self.refs[ref] = open(rp, 'rb').read()
        self.lines.append('%s psnr %s %s %d %d' % (name, self.md5(data), ref, db, maxerr))

    def add_error(self, name, data, code):
        self.streams[name] = data
        self.lines.append('%s error %s' % (name, code))

    def build(self):
        t = self.tmp
        # -- stored: every modality, a spread of geometries and depths
        imgs = {}
        for (nm, w, h, ch, depth) in [('gray8', 33, 17, 1, 8), ('ga8', 9, 7, 2, 8), ('rgb8', 64, 48, 3, 8),
                                      ('rgba16', 20, 13, 4, 16), ('gray16', 1, 1, 1, 16)]:
            src = os.path.join(t, nm + '.png')
            png_write(src, w, h, ch, depth, image(w, h, ch, depth, len(imgs)))
            imgs[nm] = src
            self.add_md5('stored-img-%s.lcc' % nm, self.encode(src, 'stored'))
        for (nm, rate, ch, bits, frames) in [('s16-stereo', 44100, 2, 16, 1000), ('s24-mono', 48000, 1, 24, 777),
                                             ('u8-6ch', 8000, 6, 8, 300), ('s32-stereo', 96000, 2, 32, 129)]:
            src = os.path.join(t, nm + '.wav')
            wav_write(src, rate, ch, bits, frames, rate % 7)
            self.add_md5('stored-aud-%s.lcc' % nm, self.encode(src, 'stored'))
        for (nm, w, h, f, chroma, depth) in [('420-8', 17, 11, 3, '420', 8), ('422-10', 16, 8, 2, '422', 10),
                                             ('444-8', 8, 6, 2, '444', 8), ('400-16', 7, 5, 2, '400', 16)]:
            src = os.path.join(t, nm + '.y4m')
            y4m_write(src, w, h, f, chroma, depth)
            self.add_md5('stored-vid-%s.lcc' % nm, self.encode(src, 'stored'))
        # -- pc: the context model (scheme 1, named: the encoder prefers a
        # scheme-2 model when one is installed), gray and RGB
        self.add_md5('pc-img-rgb8.lcc', self.encode(imgs['rgb8'], 'pc', model='pc-photo.lccw'))
        self.add_md5('pc-img-gray8.lcc', self.encode(imgs['gray8'], 'pc', model='pc-photo.lccw'))
        src = os.path.join(t, 'pc-odd.png')
        png_write(src, 31, 3, 3, 8, image(31, 3, 3, 8, 5))
        self.add_md5('pc-img-rgb8-31x3.lcc', self.encode(src, 'pc', model='pc-photo.lccw'))
        # -- pc: context model 2 (scheme 2, PCHD version 2)
        self.add_md5('pc2-img-rgb8.lcc', self.encode(imgs['rgb8'], 'pc', model='pc-photo2.lccw'))
        self.add_md5('pc2-img-gray8.lcc', self.encode(imgs['gray8'], 'pc', model='pc-photo2.lccw'))
        self.add_md5('pc2-img-rgb8-31x3.lcc', self.encode(src, 'pc', model='pc-photo2.lccw'))
        # -- pc: context model 3 (scheme 3, PCHD version 3: blended prediction,
        # circuit mixed with adaptive counts)
        self.add_md5('pc3-img-rgb8.lcc', self.encode(imgs['rgb8'], 'pc', model='pc-photo3.lccw'))
        self.add_md5('pc3-img-gray8.lcc', self.encode(imgs['gray8'], 'pc', model='pc-photo3.lccw'))
        self.add_md5('pc3-img-rgb8-31x3.lcc', self.encode(src, 'pc', model='pc-photo3.lccw'))
        # -- pc scheme 0 (a model for one image size; IDX batches): a tiny
        # model trained here once and then kept (training is float: it is
        # not redone, so the vectors stay put)
        pcm = os.path.join(self.models, 'pc-idx-8x6.lccw')
        if not os.path.exists(pcm):
            train = os.path.join(t, 'train-idx3-ubyte')
            idx_write(train, 300, 6, 8, 1)
            self.run('train', 'pc', '--data', train, '-o', pcm, '--states', '4', '--epochs', '2',
                     '--full-epochs', '1', '--batch', '100', '--seed', '1')
        src = os.path.join(t, 'test-idx3-ubyte')
        idx_write(src, 5, 6, 8, 4)
        self.add_md5('pc-idx-8x6.lcc', self.encode(src, 'pc'))
        # -- wavelet-ae: a spread of quality levels, gray, alpha, odd sizes
        for q in (1, 3, 5, 8):
            self.add_psnr('wae-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q))
        self.add_psnr('wae-gray8-q4.lcc', self.encode(imgs['gray8'], 'wavelet-ae', 4))
        src = os.path.join(t, 'wae-rgba.png')
        png_write(src, 37, 29, 4, 8, image(37, 29, 4, 8, 3))
        self.add_psnr('wae-rgba8-q2.lcc', self.encode(src, 'wavelet-ae', 2))
        self.add_psnr('wae-ga8-q6.lcc', self.encode(imgs['ga8'], 'wavelet-ae', 6))
        # -- wavelet-ae syntax 2 (mean-scale hyperprior): its decode,
        # synthesis included, is bit-identical on every build (md5 tier)
        hp = 'wavelet-ae-image-hp.lccw'
        for q in (1, 4, 7, 10):
            self.add_md5('waehp-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q, hp))
        self.add_md5('waehp-rgba8-q5.lcc', self.encode(src, 'wavelet-ae', 5, hp))
        # -- wavelet-ae syntax 3 (hyperprior + checkerboard context, whose
        # context network is integer too): bit-exact as well
        cb = 'wavelet-ae-image-cb.lccw'
        for q in (2, 6, 10):
            self.add_md5('waecb-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q, cb))
        self.add_md5('waecb-rgba8-q4.lcc', self.encode(src, 'wavelet-ae', 4, cb))
        # -- the second checkerboard model (syntax 3, the same decoder
        # graph; its encoder adds a nonlinear analysis)
        cb2 = 'wavelet-ae-image-cb2.lccw'
        for q in (1, 5, 9):
            self.add_md5('waecb2-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q, cb2))
        self.add_md5('waecb2-rgba8-q7.lcc', self.encode(src, 'wavelet-ae', 7, cb2))
        # -- the third (syntax 3; the decoder adds the post-filter pf)
        cb3 = 'wavelet-ae-image-cb3.lccw'
        for q in (2, 4, 8, 10):
            self.add_md5('waecb3-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q, cb3))
        self.add_md5('waecb3-ga8-q3.lcc', self.encode(imgs['ga8'], 'wavelet-ae', 3, cb3))
        # -- the fourth (cb3's graph, trained longer)
        cb4 = 'wavelet-ae-image-cb4.lccw'
        for q in (1, 3, 6, 9):
            self.add_md5('waecb4-rgb8-q%d.lcc' % q, self.encode(imgs['rgb8'], 'wavelet-ae', q, cb4))
        self.add_md5('waecb4-rgba8-q5.lcc', self.encode(src, 'wavelet-ae', 5, cb4))

        # -- valid edits: what a decoder must accept
        base = self.streams['stored-img-gray8.lcc']
        md5 = self.lines[0].split()[2]
        self.streams['ok-minor-version.lcc'] = set_header(base, 9, 'B', 1)
        self.lines.append('ok-minor-version.lcc md5 %s' % md5)
        self.streams['ok-unknown-chunk.lcc'] = edit_chunks(base, lambda cl: cl[:1] + [(b'Zq9x', b'future')] + cl[1:])
        self.lines.append('ok-unknown-chunk.lcc md5 %s' % md5)
        def split(cl):
            out = []
            for ty, p in cl:
                if ty == b'SAMP':
                    out += [(ty, p[:1]), (ty, p[1:200]), (ty, b''), (ty, p[200:])]
                else:
                    out.append((ty, p))
            return out
        self.streams['ok-split-samp.lcc'] = edit_chunks(base, split)
        self.lines.append('ok-split-samp.lcc md5 %s' % md5)

        # -- invalid streams: container
        E = self.add_error
        E('bad-magic.lcc', b'\x89' + base[1:], 'LCC_EFORMAT')
        E('bad-empty.lcc', b'', 'LCC_EFORMAT')
        E('bad-truncated-header.lcc', base[:40], 'LCC_EBADMSG')
        E('bad-version-major.lcc', set_header(base, 8, 'B', 2), 'LCC_ENOTSUP')
        E('bad-header-crc.lcc', base[:60] + bytes([base[60] ^ 1]) + base[61:], 'LCC_EBADMSG')
        E('bad-flags.lcc', set_header(base, 21, 'B', 1), 'LCC_EBADMSG')
        E('bad-reserved.lcc', set_header(base, 22, '<H', 1), 'LCC_EBADMSG')
        E('bad-reserved2.lcc', set_header(base, 58, '<H', 7), 'LCC_EBADMSG')
        E('bad-modality.lcc', set_header(base, 10, 'B', 9), 'LCC_EBADMSG')
        E('bad-width-zero.lcc', set_header(base, 24, '<I', 0), 'LCC_EBADMSG')
        E('bad-channels.lcc', set_header(base, 32, '<I', 5), 'LCC_EBADMSG')
        E('bad-depth.lcc', set_header(base, 56, 'B', 17), 'LCC_EBADMSG')
        E('bad-image-frames.lcc', set_header(base, 36, '<Q', 2), 'LCC_EBADMSG')
        E('limit-dimension.lcc', set_header(base, 24, '<I', 70000), 'LCC_ERANGE')
        E('limit-pixels.lcc', set_header(set_header(base, 24, '<I', 65535), 28, '<I', 65535), 'LCC_ERANGE')
        aud = self.streams['stored-aud-s16-stereo.lcc']
        E('limit-samples.lcc', set_header(aud, 36, '<Q', 1 << 40), 'LCC_ERANGE')
        E('bad-audio-rate.lcc', set_header(aud, 44, '<I', 0), 'LCC_EBADMSG')
        E('limit-audio-channels.lcc', set_header(aud, 32, '<I', 65), 'LCC_ERANGE')
        vid = self.streams['stored-vid-420-8.lcc']
        E('limit-frames.lcc', set_header(vid, 36, '<Q', 1 << 20), 'LCC_ERANGE')
        E('bad-video-chroma.lcc', set_header(vid, 57, 'B', 4), 'LCC_EBADMSG')
        E('bad-video-fps.lcc', set_header(vid, 52, '<I', 0), 'LCC_EBADMSG')
        E('bad-profile-unknown.lcc', set_header(base, 11, 'B', 200), 'LCC_ENOTSUP')
        E('bad-profile-reserved.lcc', set_header(base, 11, 'B', 3), 'LCC_ENOTSUP')
        E('bad-profile-modality.lcc', set_header(aud, 11, 'B', 7), 'LCC_ENOTSUP')  # pc has no audio
        E('bad-chunk-crc.lcc', flip(base, HEADER + 9), 'LCC_EBADMSG')
        E('bad-chunk-type.lcc', edit_chunks(base, lambda cl: [(b'SA-P' if ty == b'SAMP' else ty, p) for ty, p in cl]),
          'LCC_EBADMSG')
        E('bad-truncated.lcc', base[:len(base) // 2], 'LCC_EBADMSG')
        E('bad-no-lend.lcc', base[:-12], 'LCC_EBADMSG')
        E('bad-after-lend.lcc', base + b'\0', 'LCC_EBADMSG')
        E('bad-lend-payload.lcc', edit_chunks(base, lambda cl: [(ty, b'x' if ty == b'LEND' else p) for ty, p in cl]),
          'LCC_EBADMSG')
        E('bad-chunk-length.lcc', base[:HEADER + 4] + struct.pack('<I', 0xFFFFFFF0) + base[HEADER + 8:], 'LCC_EBADMSG')
        # -- stored
        E('bad-stored-short.lcc', replace_chunk(base, b'SAMP', lambda p: p[:-1]), 'LCC_EBADMSG')
        E('bad-stored-long.lcc', replace_chunk(base, b'SAMP', lambda p: p + b'\0'), 'LCC_EBADMSG')
        v10 = self.streams['stored-vid-422-10.lcc']
        E('bad-stored-range.lcc', replace_chunk(v10, b'SAMP', lambda p: b'\xff\xff' + p[2:]), 'LCC_EBADMSG')
        E('bad-stored-odd.lcc', replace_chunk(v10, b'SAMP', lambda p: p[:3]), 'LCC_EBADMSG')
        E('bad-stored-quality.lcc', set_header(base, 20, 'B', 1), 'LCC_EBADMSG')
        # -- wavelet-ae
        wae = self.streams['wae-rgb8-q3.lcc']
        E('bad-wae-model.lcc', set_header(wae, 12, '<Q', 0x0123456789abcdef), 'LCC_EMODEL')
        E('bad-wae-quality.lcc', set_header(wae, 20, 'B', 9), 'LCC_EBADMSG')
        E('bad-wae-quality0.lcc', set_header(wae, 20, 'B', 0), 'LCC_EBADMSG')
        E('bad-wae-latn-flip.lcc', replace_chunk(wae, b'LATN', lambda p: flip(p, len(p) // 2)), 'LCC_EBADMSG')
        E('bad-wae-latn-short.lcc', replace_chunk(wae, b'LATN', lambda p: p[:-4]), 'LCC_EBADMSG')
        E('bad-wae-latn-len.lcc', replace_chunk(wae, b'LATN', lambda p: p[:-1]), 'LCC_EBADMSG')
        E('bad-wae-no-latn.lcc', edit_chunks(wae, lambda cl: [c for c in cl if c[0] != b'LATN']), 'LCC_EBADMSG')
        E('bad-wae-no-waei.lcc', edit_chunks(wae, lambda cl: [c for c in cl if c[0] != b'WAEI']), 'LCC_EBADMSG')
        E('bad-wae-waei.lcc', replace_chunk(wae, b'WAEI', lambda p: b'\x02' + p[1:]), 'LCC_EBADMSG')
        rgba = self.streams['wae-rgba8-q2.lcc']
        E('bad-wae-no-alph.lcc', edit_chunks(rgba, lambda cl: [c for c in cl if c[0] != b'ALPH']), 'LCC_EBADMSG')
        # -- pc
        pc = self.streams['pc-img-rgb8.lcc']
        E('bad-pc-model.lcc', set_header(pc, 12, '<Q', 0xfedcba9876543210), 'LCC_EMODEL')
        E('bad-pc-flip.lcc', replace_chunk(pc, b'PCRS', lambda p: flip(p, 20)), 'LCC_EBADMSG')
        E('bad-pc-version.lcc', replace_chunk(pc, b'PCHD', lambda p: b'\x07' + p[1:]), 'LCC_ENOTSUP')
        E('bad-pc-blocks.lcc', edit_chunks(pc, lambda cl: [c for c in cl if c[0] != b'PCRS'][:1] + cl[1:2] +
                                           [c for c in cl if c[0] == b'LEND']), 'LCC_EBADMSG')
        E('bad-pc-quality.lcc', set_header(pc, 20, 'B', 3), 'LCC_EBADMSG')
        pc2 = self.streams['pc2-img-rgb8.lcc']
        E('bad-pc2-version1.lcc', replace_chunk(pc2, b'PCHD', lambda p: b'\x01' + p[1:]), 'LCC_EBADMSG')
        # A scheme-2 stream labelled version 3 was "unknown version" until
        # version 3 existed; now it is a valid stream (same bytes, new name).
        pc2v3 = replace_chunk(pc2, b'PCHD', lambda p: b'\x03' + p[1:])
        self.streams['ok-pc2-version3.lcc'] = pc2v3
        self.lines.append('ok-pc2-version3.lcc md5 %s' % self.md5(pc2v3))
        E('bad-pc2-version4.lcc', replace_chunk(pc2, b'PCHD', lambda p: b'\x04' + p[1:]), 'LCC_ENOTSUP')
        E('bad-pc2-flip.lcc', replace_chunk(pc2, b'PCRS', lambda p: flip(p, 20)), 'LCC_EBADMSG')
        pc3 = self.streams['pc3-img-rgb8.lcc']
        E('bad-pc3-version2.lcc', replace_chunk(pc3, b'PCHD', lambda p: b'\x02' + p[1:]), 'LCC_EBADMSG')
        E('bad-pc3-flip.lcc', replace_chunk(pc3, b'PCRS', lambda p: flip(p, 21)), 'LCC_EBADMSG')
        E('bad-pc3-weight.lcc', replace_chunk(pc3, b'PCRS', lambda p: b'\x11' + p[1:]), 'LCC_EBADMSG')
        E('bad-pc3-model2.lcc', set_header(pc3, 12, '<Q', struct.unpack('<Q', pc2[12:20])[0]), 'LCC_EBADMSG')
        idx = self.streams['pc-idx-8x6.lcc']
        E('bad-pc-idx-flip.lcc', replace_chunk(idx, b'PCRS', lambda p: flip(p, 17)), 'LCC_EBADMSG')
        E('bad-pc-idx-size.lcc', set_header(idx, 24, '<I', 9), 'LCC_EBADMSG')


def version_of(data):
    return tuple(data[8:10]) if len(data) >= 10 and data[:4] == b'\x8bLCC' else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lcc', required=True)
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors'))
    ap.add_argument('--version-bump', action='store_true',
                    help='replace vectors that changed, if the new streams carry a new container version')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        g = Gen(os.path.abspath(a.lcc), a.out, tmp)
        g.build()
    changed = []
    for name, data in sorted(g.streams.items()):
        p = os.path.join(a.out, name)
        if os.path.exists(p):
            old = open(p, 'rb').read()
            if old != data:
                changed.append((name, old, data))
    if changed:
        bumped = all(version_of(new) is not None and version_of(new) != version_of(old)
                     for _, old, new in changed if version_of(old) is not None)
        if not a.version_bump or not bumped:
            for name, old, new in changed:
                print('make_vectors: %s would change (%d -> %d bytes, version %s -> %s)'
                      % (name, len(old), len(new), version_of(old), version_of(new)), file=sys.stderr)
            sys.exit('make_vectors: the bitstream changed. Existing vectors are a promise to decoders; a '
                     'format change needs a new container version (SPEC.md §2.3) and --version-bump. Nothing written.')
    for name, data in g.streams.items():
        open(os.path.join(a.out, name), 'wb').write(data)
    for name, data in g.refs.items():
        p = os.path.join(a.out, name)
        if not os.path.exists(p) or changed:
            open(p, 'wb').write(data)
    with open(os.path.join(a.out, 'vectors.txt'), 'w') as f:
        f.write('# conformance vectors (conformance/make_vectors.py); see SPEC.md §5\n')
        for line in g.lines:
            f.write(line + '\n')
    total = sum(os.path.getsize(os.path.join(a.out, n)) for n in os.listdir(a.out)
                if os.path.isfile(os.path.join(a.out, n)))
    print('%d vectors (%d invalid), %d bytes without the models'
          % (len(g.lines), sum(1 for l in g.lines if ' error ' in l), total))


if __name__ == '__main__':
    main()
