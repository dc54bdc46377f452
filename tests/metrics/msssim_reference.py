#!/usr/bin/env python3
"""Independent reference values for tests/metrics/test_metrics.c.

Run once by hand (needs numpy, scipy and the ffmpeg binary; the C tests do
not run it):

    /usr/bin/python3 tests/metrics/msssim_reference.py \
        tests/metrics/data/bsds12003_crop.png tests/metrics/data/bsds12003_crop_jpeg.png

It decodes both PNGs with ffmpeg to 8-bit RGB and prints, for the whole
images and for sub-rectangles (x, y, w, h), PSNR over RGB, PSNR of BT.601
luma and MS-SSIM. The implementation is written from the definition in
libcodec/metrics/metrics.h (the pytorch_msssim definition), independently
of the C code: a direct (non-separable) 11x11 2-D 'valid' correlation with
scipy.signal, whole-array numpy arithmetic in float64, explicit zero-padded
2x2 average pooling, and the weights renormalised over the scales used.
"""
import subprocess
import sys

import numpy as np
from scipy.signal import correlate2d

WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def read_rgb(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "csv=p=0", path],
                           check=True, capture_output=True, text=True).stdout.strip().split(",")
    w, h = int(probe[0]), int(probe[1])
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3).astype(np.float64)


def window2d():
    d = np.arange(11) - 5.0
    g = np.exp(-d * d / (2 * 1.5 ** 2))
    g /= g.sum()
    return np.outer(g, g)


def ssim_and_cs(x, y, peak):
    win = window2d()
    f = lambda a: correlate2d(a, win, mode="valid")
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    mx, my = f(x), f(y)
    sxx = f(x * x) - mx * mx
    syy = f(y * y) - my * my
    sxy = f(x * y) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return float(np.mean(lum * cs)), float(np.mean(cs))


def pool(a):
    ph, pw = a.shape[0] % 2, a.shape[1] % 2
    p = np.pad(a, ((ph, ph), (pw, pw)), mode="constant")
    oh, ow = (p.shape[0] - 2) // 2 + 1, (p.shape[1] - 2) // 2 + 1
    p = p[:2 * oh, :2 * ow]
    return 0.25 * (p[0::2, 0::2] + p[1::2, 0::2] + p[0::2, 1::2] + p[1::2, 1::2])


def scales_for(h, w):
    n = 0
    while n < 5 and h >= 11 and w >= 11:
        n += 1
        h, w = (h + 1) // 2, (w + 1) // 2
    return n


def ms_ssim_plane(x, y, peak):
    n = scales_for(*x.shape)
    if n == 0:
        return float("nan")
    wts = WEIGHTS[:n] / WEIGHTS[:n].sum()
    vals = []
    for s in range(n):
        ssim, cs = ssim_and_cs(x, y, peak)
        if s == n - 1:
            vals.append(max(ssim, 0.0))
        else:
            vals.append(max(cs, 0.0))
            x, y = pool(x), pool(y)
    return float(np.prod(np.array(vals) ** wts))


def metrics(a, b, peak=255.0):
    mse = np.mean((a - b) ** 2)
    luma = np.array([0.299, 0.587, 0.114])
    mse_y = np.mean((a @ luma - b @ luma) ** 2)
    per_channel = [ms_ssim_plane(a[:, :, c], b[:, :, c], peak) for c in range(3)]
    return 10 * np.log10(peak ** 2 / mse), 10 * np.log10(peak ** 2 / mse_y), np.mean(per_channel), per_channel


def main():
    a, b = read_rgb(sys.argv[1]), read_rgb(sys.argv[2])
    h, w = a.shape[:2]
    for (x, y, cw, ch) in [(0, 0, w, h), (13, 29, 201, 177), (50, 70, 100, 60), (7, 3, 40, 23)]:
        ra, rb = a[y:y + ch, x:x + cw], b[y:y + ch, x:x + cw]
        psnr, psnr_y, msssim, per_channel = metrics(ra, rb)
        print("rect x=%d y=%d w=%d h=%d scales=%d psnr=%.6f psnr_y=%.6f ms_ssim=%.9f (R %.9f G %.9f B %.9f)"
              % ((x, y, cw, ch, scales_for(ch, cw), psnr, psnr_y, msssim) + tuple(per_channel)))


if __name__ == "__main__":
    main()
