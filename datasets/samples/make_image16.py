#!/usr/bin/env python3
"""Make image16.png: an 8-bit RGB PPM (stdin) scaled to 16 bits (v * 256)
with pseudo-random low bytes (a fixed-seed LCG), written as a 16-bit RGB PNG
(stdout). Standard library only, so it runs anywhere."""
import struct, sys, zlib

def read_ppm(data):
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    assert fields[0] == b"P6" and fields[3] == b"255"
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

w, h, px = read_ppm(sys.stdin.buffer.read())
state = 12345
raw = bytearray()
for y in range(h):
    raw.append(0)  # filter: none
    for i in range(w * 3):
        state = (state * 1103515245 + 12345) & 0x7fffffff
        raw += struct.pack(">H", px[y * w * 3 + i] * 256 + (state >> 16) % 256)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
sys.stdout.buffer.write(png)
