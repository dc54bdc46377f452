#!/usr/bin/env python3
"""A second implementation of conformance/SPEC.md section 4, written from the
text alone: it rebuilds the Gaussian and Laplace banks (section 4.5), checks
their published hashes, encodes the test vector of section 4.8 with the
informative encoder of 4.2/4.3, checks the published stream hash, and
decodes it back with the normative decoder."""
import sys

SCALES = [
    7209, 8153, 9221, 10428, 11793, 13338, 15084, 17060,
    19293, 21820, 24677, 27908, 31563, 35696, 40370, 45657,
    51635, 58397, 66043, 74691, 84472, 95533, 108043, 122191,
    138191, 156287, 176752, 199897, 226073, 255677, 289157, 327021,
    369843, 418272, 473044, 534987, 605042, 684270, 773872, 875208,
    989814, 1119426, 1266011, 1431791, 1619278, 1831317, 2071121, 2342327,
    2649047, 2995930, 3388236, 3831913, 4333688, 4901169, 5542960, 6268790,
    7089666, 8018032, 9067964, 10255381, 11598287, 13117040, 14834670, 16777216,
]
L = 1 << 31
M64 = (1 << 64) - 1


def fnv(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & M64
    return h


def table_from_weights(w, P):
    """Section 4.1; w includes the escape weight last."""
    n = len(w)
    sh = 0
    while sum(x >> sh for x in w) >= 1 << 39:
        sh += 1
    v = [x >> sh for x in w]
    W = sum(v)
    A = (1 << P) - n
    cdf, c = [], 0
    for k in range(n):
        cdf.append(k + (c * A // W if W else k * A // n))
        c += v[k]
    cdf.append(1 << P)
    return cdf


def E(aq):
    if aq >= 40 << 24:
        return 0
    b = (aq * 1549082005) >> 30
    n = b >> 24
    g = ((b & 0xFFFFFF) * 744261118) >> 24
    r = 1 << 30
    for j in range(12, 0, -1):
        r = (1 << 30) - ((g * r) >> 30) // j
    return r >> n


def bin_weight(gauss, S, M, k):
    w = 0
    for j in range(M):
        X = abs(2 * M * k + 2 * j + 1 - M)
        if gauss:
            t = (X << 26) // (M * S)
            aq = (40 << 24) if t >= 1 << 31 else 2 * t * t
        else:
            aq = (X << 39) // (M * S)
        w += E(aq)
    return w


def scale_table(gauss, S, P):
    M = 64 if S < 65536 else 16
    z, zf = (4, 8) if gauss else (10, 25)
    K = (z * S + 65535) >> 16
    K = min(K, ((1 << (P - 1)) - 2) >> 1 if P >= 2 else 0)
    Kf = ((zf * S + 65535) >> 16) + 1
    bw = {k: bin_weight(gauss, S, M, k) for k in range(0, Kf + 1)}
    w = [bw[abs(k)] for k in range(-K, K + 1)]
    esc = 2 * sum(bw[k] for k in range(K + 1, Kf + 1))
    return (-K, table_from_weights(w + [esc], P))


def serialize(tables, P):
    out = bytearray(b"LCDF") + len(tables).to_bytes(4, "little")
    for off, cdf in tables:
        n = len(cdf) - 1
        out += bytes([P, 0, 0, 0]) + n.to_bytes(4, "little") + (off & 0xFFFFFFFF).to_bytes(4, "little")
        for s in range(n):
            out += (cdf[s + 1] - cdf[s] - 1).to_bytes(2 if P <= 16 else 4, "little")
    return bytes(out)


class Encoder:
    def __init__(self):
        self.ops = []

    def freq(self, start, f, P):
        self.ops.append((start, f, P))

    def bits(self, v, b):
        self.freq(v & ((1 << b) - 1), 1, b)

    def value(self, table, v):
        off, cdf = table
        n = len(cdf) - 1
        lo, hi = off, off + n - 2
        if lo <= v <= hi:
            s = v - lo
            self.freq(cdf[s], cdf[s + 1] - cdf[s], P16)
            return
        self.freq(cdf[n - 1], cdf[n] - cdf[n - 1], P16)
        d = 2 * (lo - 1 - v) + 1 if v < lo else 2 * (v - hi - 1)
        k = (d + 1).bit_length() - 1
        r = d + 1 - (1 << k)
        self.bits(k, 6)
        j = 0
        while j < k:
            c = min(16, k - j)
            self.bits(r >> j, c)
            j += c

    def finish(self):
        x = [L, L]
        words = []
        for i in range(len(self.ops) - 1, -1, -1):
            c, f, P = self.ops[i]
            s = x[i & 1]
            if s >= ((L >> P) << 32) * f:
                words.append(s & 0xFFFFFFFF)
                s >>= 32
            x[i & 1] = ((s // f) << P) + s % f + c
        if not words and x == [L, L]:
            return b""
        out = x[0].to_bytes(8, "little") + x[1].to_bytes(8, "little")
        for wd in reversed(words):
            out += wd.to_bytes(4, "little")
        return out


class Decoder:
    def __init__(self, data):
        n = len(data)
        assert n == 0 or (n >= 16 and (n - 16) % 4 == 0)
        self.x = [L, L] if n == 0 else [int.from_bytes(data[0:8], "little"), int.from_bytes(data[8:16], "little")]
        assert all(L <= s < 1 << 63 for s in self.x)
        self.data, self.pos, self.i = data, 16 if n else 0, 0

    def _renorm(self, s):
        if s < L:
            assert self.pos + 4 <= len(self.data), "read past end"
            s = (s << 32) | int.from_bytes(self.data[self.pos:self.pos + 4], "little")
            self.pos += 4
        return s

    def freq(self, cdf, P):
        s = self.x[self.i & 1]
        slot = s & ((1 << P) - 1)
        sym = max(k for k in range(len(cdf) - 1) if cdf[k] <= slot)
        s = (cdf[sym + 1] - cdf[sym]) * (s >> P) + slot - cdf[sym]
        self.x[self.i & 1] = self._renorm(s)
        self.i += 1
        return sym

    def bits(self, b):
        s = self.x[self.i & 1]
        v = s & ((1 << b) - 1)
        self.x[self.i & 1] = self._renorm(s >> b)
        self.i += 1
        return v

    def value(self, table):
        off, cdf = table
        n = len(cdf) - 1
        s = self.freq(cdf, P16)
        if s < n - 1:
            return off + s
        k = self.bits(6)
        assert k <= 33
        r, j = 0, 0
        while j < k:
            c = min(16, k - j)
            r |= self.bits(c) << j
            j += c
        d = (1 << k) + r - 1
        return off - 1 - (d >> 1) if d & 1 else off + n - 1 + (d >> 1)

    def finish(self):
        return self.pos == len(self.data) and self.x == [L, L]


P16 = 16


def main():
    ok = True
    gauss = [scale_table(True, S, 16) for S in SCALES]
    h = fnv(serialize(gauss, 16))
    print("gaussian bank hash %016x" % h)
    ok &= h == 0xce2c1594cdd37d39
    lap = [scale_table(False, S, 16) for S in SCALES]
    h = fnv(serialize(lap, 16))
    print("laplace bank hash %016x" % h)
    ok &= h == 0x462b1252fd05fe37
    idx = [(7 * i) % 64 for i in range(10000)]
    val = [(((i * 2654435761) % (1 << 32)) >> 7) % 41 - 20 for i in range(10000)]
    enc = Encoder()
    for i in range(10000):
        enc.value(gauss[idx[i]], val[i])
    enc.bits(0xBEEF, 16)
    stream = enc.finish()
    print("test vector %d bytes, hash %016x" % (len(stream), fnv(stream)))
    ok &= len(stream) == 16536 and fnv(stream) == 0xa28f2316f4425888
    dec = Decoder(stream)
    got = [dec.value(gauss[idx[i]]) for i in range(10000)]
    ok &= got == val and dec.bits(16) == 0xBEEF and dec.finish()
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
