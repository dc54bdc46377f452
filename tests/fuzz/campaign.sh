#!/bin/bash
# The robustness campaign of ROBUSTNESS.md: every libFuzzer target of a
# `make fuzz` build (clang, ASan+UBSan), one at a time, niced, SECS seconds
# each (600), 2 GB RSS limit. A crash is recorded (campaign/<target>-crash-*)
# and the target restarted for the rest of its time. Logs and /usr/bin/time
# reports go to $FUZZBUILD/campaign/; tests/fuzz/campaign_report.py turns
# them into the table of ROBUSTNESS.md.
#   make fuzz FUZZ_SECONDS=1 && tests/fuzz/campaign.sh     (from the source root)
SRC=$(pwd)
cd "${FUZZBUILD:-build-fuzz}" || exit 1
mkdir -p campaign
SECS=${SECS:-600}
OUT=campaign
for t in ${TARGETS:-model roundtrip decode rangedec png jpeg y4m pnm audio av nn_lccw}; do
    bin=tests/fuzz/fuzz_$t
    [ -x $bin ] || { echo "$t: no binary" >> $OUT/summary.txt; continue; }
    mkdir -p corpus/$t
    seeds=$SRC/tests/fuzz/corpus/$t
    [ $t = nn_lccw ] && seeds=$SRC/tests/nn/corpus/lccw
    extra=""
    # the shipped models as extra seeds of the model loader
    [ $t = model ] && { mkdir -p seed-model; cp $SRC/models/*.lccw seed-model/; extra=seed-model; }
    start=$(date +%s); seg=0
    echo "== $t start $(date -u +%T)" >> $OUT/summary.txt
    while :; do
        now=$(date +%s); left=$((SECS - (now - start)))
        [ $left -lt 5 ] && break
        seg=$((seg + 1))
        /usr/bin/time -v -o $OUT/$t.time.$seg nice -n 10 $bin -max_total_time=$left -rss_limit_mb=2048 \
            -timeout=30 -print_final_stats=1 -artifact_prefix=$OUT/$t- corpus/$t $seeds $extra \
            > $OUT/$t.log.$seg 2>&1
        rc=$?
        echo "$t seg $seg rc $rc $(date -u +%T)" >> $OUT/summary.txt
        [ $rc = 0 ] && break
        # a crash: keep going after it; the artifact is in $OUT/$t-*
        sleep 1
    done
    echo "== $t end $(date -u +%T) corpus $(ls corpus/$t | wc -l) files $(du -sk corpus/$t | cut -f1) KB" >> $OUT/summary.txt
done
echo "ALL DONE $(date -u +%T)" >> $OUT/summary.txt
