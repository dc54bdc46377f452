#!/usr/bin/env python3
"""Summarize a campaign of tests/fuzz/campaign.sh as the Markdown table of
ROBUSTNESS.md: per target, executions, hours, crashes, corpus size, peak RSS.

    campaign_report.py [FUZZBUILD]          (default build-fuzz)
"""
import glob
import os
import re
import sys


def main():
    fb = sys.argv[1] if len(sys.argv) > 1 else 'build-fuzz'
    camp = os.path.join(fb, 'campaign')
    targets = []
    for line in open(os.path.join(camp, 'summary.txt')):
        m = re.match(r'== (\S+) start', line)
        if m and m.group(1) not in targets:
            targets.append(m.group(1))
    print('| target | executions | hours | exec/s | crashes (fixed) | corpus (files, KB) | peak RSS MB |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    tot_e = tot_s = 0
    for t in targets:
        execs = secs = crashes = 0
        rss = 0
        for log in sorted(glob.glob(os.path.join(camp, '%s.log.*' % t))):
            txt = open(log, errors='replace').read()
            m = re.findall(r'stat::number_of_executed_units: (\d+)', txt)
            if m:
                execs += int(m[-1])
            else:   # a crash ends without final stats: take the last progress line
                m = re.findall(r'^#(\d+)\s', txt, re.M)
                execs += int(m[-1]) if m else 0
            if re.search(r'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|SUMMARY: ', txt):
                crashes += 1
            m = re.findall(r'stat::peak_rss_mb:\s+(\d+)', txt)
            if m:
                rss = max(rss, int(m[-1]))
        for tf in glob.glob(os.path.join(camp, '%s.time.*' % t)):
            txt = open(tf).read()
            m = re.search(r'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)', txt)
            if m:
                secs += int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            m = re.search(r'Maximum resident set size \(kbytes\): (\d+)', txt)
            if m:
                rss = max(rss, int(m.group(1)) // 1024)
        cdir = os.path.join(fb, 'corpus', t)
        files = os.listdir(cdir) if os.path.isdir(cdir) else []
        kb = sum(os.path.getsize(os.path.join(cdir, f)) for f in files) // 1024
        tot_e += execs
        tot_s += secs
        print('| %s | %d | %.2f | %.0f | %d | %d, %d | %d |' % (t, execs, secs / 3600, execs / secs if secs else 0,
                                                              crashes, len(files), kb, rss))
    print('| **total** | %d | %.2f | | | | |' % (tot_e, tot_s / 3600))


if __name__ == '__main__':
    main()
