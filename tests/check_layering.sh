#!/bin/sh
# Layering and style rules (DESIGN.md §2, STYLE.md 8/9), checked on the sources:
# - libcodec/ includes no profile, entropy or wavelet header;
# - entropy/ and wavelet/ include nothing of each other, of encoders/decoders;
# - decoders/ never include encoders/ and vice versa;
# - cli/ uses the public API (lcc/*.h) plus its own, the bench registry and
#   the trainers' entry points (encoders/train.h);
# - no tabs and no trailing whitespace in C sources and meson files.
set -u
cd "$1" || exit 1
fail=0
bad() { echo "layering: $1"; fail=1; }
inc() { grep -rn --include='*.c' --include='*.h' -E "^#include \"($2)" $1 2>/dev/null; }
[ -z "$(inc libcodec 'decoders/|encoders/|entropy/|wavelet/|cli/')" ] || bad "libcodec includes a higher layer: $(inc libcodec 'decoders/|encoders/|entropy/|wavelet/|cli/')"
[ -z "$(inc entropy 'decoders/|encoders/|wavelet/|cli/')" ] || bad "entropy/ includes a higher or sibling layer"
[ -z "$(inc wavelet 'decoders/|encoders/|entropy/|cli/')" ] || bad "wavelet/ includes a higher or sibling layer"
[ -z "$(inc decoders 'encoders/|cli/')" ] || bad "decoders/ include encoders/: $(inc decoders 'encoders/|cli/')"
[ -z "$(inc encoders 'decoders/|cli/')" ] || bad "encoders/ include decoders/: $(inc encoders 'decoders/|cli/')"
cli_bad=$(inc cli 'libcodec/|entropy/|wavelet/|encoders/|decoders/' | grep -v '"encoders/train.h"')
[ -z "$cli_bad" ] || bad "cli/ uses internal headers: $cli_bad"
ws=$(git ls-files '*.c' '*.h' '*meson.build' 'meson_options.txt' 2>/dev/null | xargs grep -lnP '\t| +$' 2>/dev/null)
[ -z "$ws" ] || { echo "style: tabs or trailing whitespace in: $ws"; fail=1; }
[ $fail = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
