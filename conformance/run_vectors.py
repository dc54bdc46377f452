#!/usr/bin/env python3
"""Decode every conformance vector and check it (meson suite `conformance`).

    run_vectors.py --lcc build/cli/lcc [--vectors DIR] [--cpu default,c] [--threads 1,2]
                   [--label NAME] [--timeout S]

For each configuration (LCC_CPU unset or set to c; --threads 1 and 2), each
vector of vectors/vectors.txt is decoded by the lcc tool with the models of
vectors/models/ (--model-dir), so the vectors do not depend on models/:

  md5    the MD5 of the decoded samples (lcc decode --md5) must be the one listed;
  psnr   the decode must be within the tolerance of the reference output
         (PSNR >= bound or identical, max error <= bound; DESIGN.md §5);
  error  lcc must reject the stream with exit code 2 and that error code,
         in bounded time, without a crash (a sanitizer report is a failure).

Prints one line per vector and configuration, and a summary; exit 1 if any
check failed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lcc', required=True)
    ap.add_argument('--vectors', default=os.path.join(here, 'vectors'))
    ap.add_argument('--cpu', default='default,c')
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--label', default='')
    ap.add_argument('--timeout', type=float, default=120)
    a = ap.parse_args()
    vec = a.vectors
    models = os.path.join(vec, 'models')
    entries = []
    for line in open(os.path.join(vec, 'vectors.txt')):
        f = line.split()
        if f and not f[0].startswith('#'):
            entries.append(f)
    if not entries:
        sys.exit('run_vectors: no vectors in %s' % vec)

    failures, checks = [], 0
    counts = {'md5': 0, 'psnr': 0, 'error': 0}
    worst = {}   # psnr vector -> lowest psnr seen
    with tempfile.TemporaryDirectory() as tmp:
        for cpu in a.cpu.split(','):
            env = dict(os.environ)
            env.pop('LCC_CPU', None)
            if cpu != 'default':
                env['LCC_CPU'] = cpu
            for threads in a.threads.split(','):
                cfg = '%s%s/threads=%s' % (a.label + ' ' if a.label else '', 'LCC_CPU=' + cpu if cpu != 'default'
                                           else 'default', threads)

                def lcc(*args):
                    cmd = [a.lcc, '--json', '--threads', threads, '--model-dir', models] + list(args)
                    try:
                        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           timeout=a.timeout)
                    except subprocess.TimeoutExpired:
                        return None, None, 'timeout after %g s' % a.timeout
                    try:
                        out = json.loads(r.stdout.decode().strip().splitlines()[-1]) if r.stdout.strip() else {}
                    except ValueError:
                        out = {}
                    return r.returncode, out, r.stderr.decode(errors='replace')

                for e in entries:
                    name, kind = e[0], e[1]
                    path = os.path.join(vec, name)
                    checks += 1
                    counts[kind] = counts.get(kind, 0) + 1
                    bad = None
                    if kind == 'md5':
                        rc, out, err = lcc('decode', path, '--md5')
                        if rc != 0:
                            bad = 'exit %s: %s' % (rc, err.strip()[:300])
                        elif out.get('md5') != e[2]:
                            bad = 'md5 %s, expected %s' % (out.get('md5'), e[2])
                        got = out.get('md5') if out else ''
                    elif kind == 'psnr':
                        md5, ref, db, maxerr = e[2], e[3], float(e[4]), float(e[5])
                        dec = os.path.join(tmp, 'dec.png')
                        rc, out, err = lcc('decode', path, '-o', dec, '--md5')
                        if rc != 0:
                            bad = 'exit %s: %s' % (rc, err.strip()[:300])
                        else:
                            rc, q, err = lcc('compare', os.path.join(vec, ref), dec)
                            if rc != 0:
                                bad = 'compare exit %s: %s' % (rc, err.strip()[:300])
                            else:
                                psnr = float('inf') if q.get('identical') else (q.get('psnr') or 0.0)
                                worst[name] = min(worst.get(name, float('inf')), psnr)
                                if psnr < db or q.get('max_abs_error', 1e9) > maxerr:
                                    bad = 'psnr %.2f dB, max error %s (bound %g dB, %g)' % (
                                        psnr, q.get('max_abs_error'), db, maxerr)
                                got = 'psnr %s max_err %s md5 %s' % (
                                    'inf' if psnr == float('inf') else '%.2f' % psnr, q.get('max_abs_error'),
                                    'same' if out.get('md5') == md5 else 'differs')
                    elif kind == 'error':
                        rc, out, err = lcc('decode', path, '--md5')
                        if rc is None:
                            bad = err
                        elif rc < 0 or rc > 4:
                            bad = 'crashed (exit %s): %s' % (rc, err.strip()[-300:])
                        elif 'Sanitizer' in err or 'runtime error' in err:
                            bad = 'sanitizer report: %s' % err.strip()[-300:]
                        elif rc != 2 or out.get('error_name') != e[2]:
                            bad = 'exit %s, %s, expected %s (%s)' % (rc, out.get('error_name'), e[2], err.strip()[:200])
                        got = out.get('error_name') if out else ''
                    else:
                        bad = 'unknown kind %s' % kind
                    if bad:
                        failures.append('%s [%s]: %s' % (name, cfg, bad))
                        print('FAIL %-28s %-26s %s' % (name, cfg, bad))
                    else:
                        print('ok   %-28s %-26s %s' % (name, cfg, got))
        # The tool's caps (SPEC.md §2.5): a stream just above one is refused
        # with LCC_ERANGE, one at the cap decodes.
        for name, opt, cap in [('stored-img-rgb8.lcc', '--max-pixels', 64 * 48),
                               ('stored-aud-s16-stereo.lcc', '--max-samples', 2 * 1000),
                               ('stored-vid-420-8.lcc', '--max-frames', 3)]:
            for value, want in [(cap - 1, 'LCC_ERANGE'), (cap, None)]:
                checks += 1
                r = subprocess.run([a.lcc, '--json', opt, str(value), 'decode', os.path.join(vec, name), '--md5'],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
                try:
                    out = json.loads(r.stdout.decode().strip().splitlines()[-1])
                except (ValueError, IndexError):
                    out = {}
                ok = (r.returncode == 2 and out.get('error_name') == want) if want else r.returncode == 0
                tag = '%s %s %d' % (name, opt, value)
                print('%s %-48s %s' % ('ok  ' if ok else 'FAIL', tag, out.get('error_name', 'decoded')))
                if not ok:
                    failures.append('%s: exit %d %s' % (tag, r.returncode, r.stderr.decode().strip()[:200]))
    print()
    for n in sorted(worst):
        print('tolerance tier: %-24s lowest PSNR vs reference over the configurations: %s' % (
            n, 'identical' if worst[n] == float('inf') else '%.2f dB' % worst[n]))
    print('%d checks (%d md5, %d tolerance, %d invalid) over %d vectors: %d failed' % (
        checks, counts['md5'], counts['psnr'], counts['error'], len(entries), len(failures)))
    for f in failures:
        print('FAIL', f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
