#!/usr/bin/env python3
"""Peak memory of the worst input of a fuzz corpus: replays every file, one
process each, through the corpus-replay build of the target (a normal build,
fuzzing_engine=none: no sanitizer overhead) and reports the largest maximum
RSS and the input that caused it (ROBUSTNESS.md).

    worst_rss.py BUILD/tests/fuzz/fuzz_TARGET CORPUS_DIR [...]
"""
import os
import subprocess
import sys


def main():
    exe, dirs = sys.argv[1], sys.argv[2:]
    worst, worst_file, n = 0, None, 0
    base = None
    for d in dirs:
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if not os.path.isfile(p):
                continue
            r = subprocess.run(['/usr/bin/time', '-f', 'RSS %M', exe, p], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=600)
            line = [l for l in r.stderr.decode(errors='replace').splitlines() if l.startswith('RSS ')]
            kb = int(line[-1].split()[1]) if line else 0
            n += 1
            base = kb if base is None else min(base, kb)
            if kb > worst:
                worst, worst_file = kb, p
    print('%s: %d inputs, peak RSS %.1f MB (%s, %d bytes); smallest %.1f MB' % (
        os.path.basename(exe), n, worst / 1024, worst_file, os.path.getsize(worst_file) if worst_file else 0,
        (base or 0) / 1024))


if __name__ == '__main__':
    main()
