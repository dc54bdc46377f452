#!/usr/bin/env python3
"""Independent reference for the audio case of tests/metrics/test_metrics.c
(test_reference_audio): the same integer signals, SNR over all channels and
SI-SDR (Le Roux et al. 2019) per channel on zero-mean signals, in float64
numpy, written from the definition. Run once by hand:

    /usr/bin/python3 tests/metrics/sisdr_reference.py
"""
import numpy as np

N = 20000
i = np.arange(N, dtype=np.int64)
ref = np.stack([(i * 7919) % 20001 - 10000, (i * 104729) % 30011 - 15005], axis=1)
noise0 = (i * 31) % 41 - 20
noise1 = (i * 17) % 301 - 150
test = np.stack([ref[:, 0] + noise0 + np.where(i % 1000 < 500, 100, 0),
                 2 * ref[:, 1] + noise1 + 7], axis=1)

snr = 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) / np.sum((ref - test).astype(np.float64) ** 2))


def si_sdr(s, t):
    s = s - s.mean()
    t = t - t.mean()
    target = (np.dot(t, s) / np.dot(s, s)) * s
    return 10 * np.log10(np.dot(target, target) / np.dot(t - target, t - target))


per_channel = [si_sdr(ref[:, c].astype(np.float64), test[:, c].astype(np.float64)) for c in range(2)]
print("snr=%.9f si_sdr=%.9f (channels %.9f %.9f)" % (snr, np.mean(per_channel), *per_channel))
