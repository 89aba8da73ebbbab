# Kairos: the README's two commands (`make run`, `make test`) plus `make bench`.
# Every target installs what is missing first, so a fresh machine needs nothing else.

SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config libsqlite3-dev
# make test also renders the HTML reports in headless Chromium (Tests/Render/render_reports.py);
# tzdata gives the calendar tests an independent New York clock (Foundation.TimeZone).
TEST_PACKAGES := chromium tzdata
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
KAIROS       := .build/release/kairos
SAMPLE       := Sources/KairosIO/SampleData
BENCH_DATA   := Benchmarks/data/SYN1.csv
PEER_VENV    := Benchmarks/peers/.venv

.PHONY: setup build build-native run test test-distributed bench bench-native fuzz clean

## setup: install the Debian packages Kairos links against, if any is missing.
setup:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## build: the release binary .build/release/kairos, with the Swift runtime and Foundation linked
## in (RELEASE_FLAGS): it runs where only the Debian libraries are installed (cluster nodes that
## run sweep shards need no Swift toolchain), and starts ~10 ms sooner than one that resolves
## its symbols across fifteen Swift libraries at load time. RELEASE_FLAGS= gives the usual build.
RELEASE_FLAGS ?= --static-swift-stdlib
build: setup
	$(SWIFT) build -c release --product kairos $(RELEASE_FLAGS)

## build-native: an opt-in build for one CPU family (TARGET_CPU, an LLVM CPU name; haswell:
## AVX2) in .build-native/ — never used by run or test. The same result bytes; 10–14 % fewer
## instructions on sweeps (callgrind). Benchmarks/compare_native times it against the portable build.
TARGET_CPU   ?= haswell
build-native: setup
	$(SWIFT) build -c release --product kairos $(RELEASE_FLAGS) --build-path .build-native \
	  -Xswiftc -target-cpu -Xswiftc $(TARGET_CPU) -Xcc -march=$(TARGET_CPU)

## bench-native: the tuned build against the portable one, alternated, result files compared.
bench-native: build build-native
	@[ -f Benchmarks/data/daily/SYN10.csv ] || $(KAIROS) data generate --bars 5000 --assets 10 --seed 4 --out Benchmarks/data/daily --quiet > /dev/null
	Benchmarks/compare_native

## run: the main job, `kairos demo`: the bundled AAPL series adjusted, an SMA-cross sweep, a
## logistic model and its out-of-sample backtest with the risk manager, a threshold × smoothing
## sweep, a walk-forward and an HTML report, written to a run folder (notebooks-export/runs/);
## then a paper session replaying the test period through the model strategy, and its status.
run: build
	$(KAIROS) data check $(SAMPLE)/aapl_daily_unadjusted.csv $(SAMPLE)/aapl_corporate_actions.csv
	$(KAIROS) demo
	@# A short paper session: the demo's test period replayed at full speed through its model
	@# strategy (each bar's features computed and scored as it arrives), then its status.
	run=$$(ls -td notebooks-export/runs/*/ | head -1); \
	$(KAIROS) paper --feed replay --data $${run}model_backtest/aapl_test.csv --strategy model \
	  --model $${run}model.json --spec $${run}spec.yaml --param threshold=0.52 --param smoothing=3 \
	  --param stop_atr=2 --param max_dd=0.2 --state $${run}paper && \
	$(KAIROS) paper status --state $${run}paper

## test: build and run every test (debug build, small data), then execute the notebooks
## headlessly against a fresh `kairos demo` run (notebooks-export/run; needs PyPI for its venv),
## then renders the HTML reports in headless Chromium and checks their charts.
test:
	$(MAKE) setup EXTRA_PACKAGES="$(TEST_PACKAGES)"
	python3 Tests/ModuleGraph/check_module_graph.py --self-test
	python3 Tests/ModuleGraph/check_module_graph.py
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	KAIROS=$(CURDIR)/.build/debug/kairos notebooks-export/run
	python3 Tests/Render/render_reports.py .build/debug/kairos
	Tests/BadInput/run .build/debug/kairos
	Fuzz/run 20

## test-distributed: sharded sweeps on real engines (Tests/Distributed/run): installs Debian's
## slurmctld, slurmd, slurm-client and munge when missing, starts a one-node Slurm and a local
## Dask cluster (a venv from PyPI) on 127.0.0.1, compares 4- and 7-shard merges with the
## unsharded run (cmp), a failing shard and its re-run; stops every daemon by its PID.
test-distributed: setup
	$(SWIFT) build --product kairos
	Tests/Distributed/run .build/debug/kairos

## fuzz: libFuzzer on the CSV reader, the timestamp and decimal parsers and the config decoders,
## ten minutes each; what it finds is merged into Fuzz/Corpus/ (commit it).
fuzz: setup
	FUZZ_SAVE=1 Fuzz/run 600

## bench: release benchmarks side by side with the Python peers, as ratios.
bench: build
	@# The Kairos modules of the Benchmarks package are rebuilt from scratch (about four
	@# minutes): after an engine type's stored properties changed, an incremental build of
	@# them left stale objects behind, and the benchmark binary corrupted its heap. The build
	@# database goes too: without it SwiftPM regenerates the modules' derived sources.
	rm -rf Benchmarks/.build/release/Kairos*.build Benchmarks/.build/release.yaml Benchmarks/.build/build.db
	cd Benchmarks && $(SWIFT) build -c release
	@[ -f $(BENCH_DATA) ] || $(KAIROS) data generate --bars 1000000 --interval 1m --seed 1 --out Benchmarks/data
	@[ -f Benchmarks/data/daily/SYN10.csv ] || $(KAIROS) data generate --bars 5000 --assets 10 --seed 4 --out Benchmarks/data/daily --quiet > /dev/null
	@[ -x $(PEER_VENV)/bin/python ] && $(PEER_VENV)/bin/python -c "import sklearn, talib, numba, vectorbt, backtesting" 2>/dev/null || (python3 -m venv $(PEER_VENV) && $(PEER_VENV)/bin/pip install -q -r Benchmarks/peers/requirements.txt)
	Benchmarks/run

clean:
	rm -rf .build .build-native Benchmarks/.build Benchmarks/data Benchmarks/results Fuzz/.build Fuzz/bin
