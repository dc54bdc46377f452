#!/bin/sh
# Verify the shared data sets against the manifests in datasets/manifests.
# Usage: datasets/check.sh [SHARED_DATASETS_DIR]  (default: ../shared/datasets
# beside the repository). Exit 0 if every file matches.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${1:-$here/../../shared/datasets}
status=0
check() { # manifest, directory
    if [ ! -d "$2" ]; then echo "$1: $2 not found"; status=1; return; fi
    if (cd "$2" && sha256sum --quiet -c "$here/manifests/$1"); then echo "$1: ok"; else status=1; fi
}
check kodak.sha256 "$root/kodak"
check audio.sha256 "$root/audio"
check video.sha256 "$root/video"
check mnist.sha256 "$root/mnist"
check fashion-mnist.sha256 "$root/mnist/fashion-mnist"
check bsds500.sha256 "$root/train/bsds500"
exit $status
