# The two README commands and their helpers. Every target first installs the
# Debian packages the build needs (only those missing), then configures,
# builds and runs.
#   make demo   encode/decode the bundled sample and print what happened
#   make test   build and run every test (release build + ASan/UBSan build)
#   make fuzz   longer libFuzzer campaigns (clang), FUZZ_SECONDS per target
#   make conformance-full  the conformance vectors against -O0, -ffp-contract=fast
#               and clang builds as well as the release build
#   make bench  the standard Kodak rate-distortion sweep; updates BENCHMARKS.md
#   make install PREFIX=/usr/local

BUILD ?= build
SANBUILD ?= build-san
FUZZBUILD ?= build-fuzz
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60
MESON_TEST_ARGS ?=

# Build and test dependencies (Debian 12 package names).
DEPS = gcc pkg-config meson ninja-build \
       libpng-dev libjpeg62-turbo-dev libsndfile1-dev libopenblas-dev \
       libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
       frei0r-plugins-dev ladspa-sdk ffmpeg flac libjpeg-turbo-progs webp python3
FUZZ_DEPS = clang libclang-rt-14-dev
# Anchor tools of `lcc sweep` (DESIGN.md §8); tests/sweep skip without cjpeg/cwebp.
BENCH_DEPS = libavif-bin libjxl-tools
KODAK ?= ../shared/datasets/kodak
KODAK_ANCHORS ?= ../shared/anchors/compressai-kodak
BENCHDIR ?= $(BUILD)/bench-kodak

.PHONY: all deps fuzz-deps bench-deps build demo test test-release test-sanitize fuzz bench bench-audio install clean \
        conformance-full

all: build

deps:
	@missing=""; for p in $(DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "Installing:$$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	    else \
	        echo "Missing packages. Run as root:"; \
	        echo "  apt-get install -y$$missing"; exit 1; \
	    fi; \
	fi

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS) $(FUZZ_DEPS)"

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX) -Dbuildtype=release

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@$(BUILD)/cli/lcc encode datasets/samples/image.png -o $(BUILD)/demo.lcc && \
	 $(BUILD)/cli/lcc decode $(BUILD)/demo.lcc -o $(BUILD)/demo.png && \
	 $(BUILD)/cli/lcc info $(BUILD)/demo.lcc && \
	 $(BUILD)/cli/lcc compare datasets/samples/image.png $(BUILD)/demo.png

test: test-release test-sanitize

test-release: build
	meson test -C $(BUILD) --print-errorlogs $(MESON_TEST_ARGS)

# The robustness suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: deps
	@[ -f $(SANBUILD)/build.ninja ] || meson setup $(SANBUILD) -Dbuildtype=debugoptimized \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dplugins=false
	ninja -C $(SANBUILD)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	    meson test -C $(SANBUILD) --print-errorlogs --no-suite nn-slow --no-suite bench $(MESON_TEST_ARGS)

fuzz: fuzz-deps
	@[ -f $(FUZZBUILD)/build.ninja ] || CC=clang meson setup $(FUZZBUILD) -Dbuildtype=debugoptimized \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing_engine=libfuzzer -Dplugins=false
	ninja -C $(FUZZBUILD)
	@for f in $(FUZZBUILD)/tests/fuzz/fuzz_*; do \
	    [ -x "$$f" ] || continue; name=$${f##*/fuzz_}; mkdir -p $(FUZZBUILD)/corpus/$$name; \
	    echo "== $$name ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(FUZZBUILD)/corpus/$$name tests/fuzz/corpus/$$name || exit 1; \
	done

# The conformance vectors (SPEC.md §5) decoded by differently built lcc tools:
# each must give the same md5 (bit-exact tier) and stay within tolerance of
# the reference (float tier), with LCC_CPU=c and default, 1 and 2 threads.
CONF_BUILDS = $(BUILD)-conf-O0 $(BUILD)-conf-fpcontract $(BUILD)-conf-clang
conformance-full: fuzz-deps build
	@[ -f $(BUILD)-conf-O0/build.ninja ] || meson setup $(BUILD)-conf-O0 -Dbuildtype=debug -Doptimization=0 \
	    -Dtests=false -Dplugins=false
	@[ -f $(BUILD)-conf-fpcontract/build.ninja ] || meson setup $(BUILD)-conf-fpcontract -Dbuildtype=release \
	    -Dc_args=-ffp-contract=fast -Dtests=false -Dplugins=false
	@[ -f $(BUILD)-conf-clang/build.ninja ] || CC=clang meson setup $(BUILD)-conf-clang -Dbuildtype=release \
	    -Dtests=false -Dplugins=false
	@for b in $(BUILD) $(CONF_BUILDS); do ninja -C $$b cli/lcc || exit 1; done
	@fail=0; for b in $(BUILD) $(CONF_BUILDS); do \
	    echo "== conformance: $$b"; \
	    python3 conformance/run_vectors.py --lcc $$b/cli/lcc --label $${b##*/} > $$b/conformance.log 2>&1 || fail=1; \
	    grep -E '^(FAIL|tolerance|[0-9]+ checks)' $$b/conformance.log; \
	done; exit $$fail

bench-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS) $(BENCH_DEPS)"

# Standard Kodak rate-distortion sweep (every image profile + jpeg/webp/avif/jxl,
# CompressAI's BPG and hyperprior for reference); resumes from $(BENCHDIR)/cache;
# updates the "Rate-distortion (Kodak)" section of BENCHMARKS.md.
bench: bench-deps build
	$(BUILD)/cli/lcc sweep --data $(KODAK) \
	    --published $(KODAK_ANCHORS)/bpg_444_x265_ycbcr.json \
	    --published $(KODAK_ANCHORS)/compressai-bmshj2018-hyperprior_mse_cpu.json \
	    -o $(BENCHDIR) --benchmarks BENCHMARKS.md

# wavelet-ae audio vs Opus (libopus via ffmpeg) and FLAC on ../shared/datasets/audio;
# the report goes to $(BUILD)/bench-audio.md (copied into BENCHMARKS.md by hand).
AUDIO ?= ../shared/datasets/audio
bench-audio: build
	@dpkg-query -W -f='$${Status}' python3-numpy 2>/dev/null | grep -q "install ok installed" || \
	    { echo "bench-audio needs: apt-get install python3-numpy"; exit 1; }
	/usr/bin/python3 bench/audio/audio_vs_opus.py --lcc $(BUILD)/cli/lcc --data $(AUDIO) \
	    -o $(BUILD)/bench-audio.md --json $(BUILD)/bench-audio.json
	cat $(BUILD)/bench-audio.md

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(SANBUILD) $(FUZZBUILD)
