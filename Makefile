# citybench entry points. The README's two set-up commands are `make demo` and `make test`;
# both install missing system packages first (scripts/install-deps.sh, idempotent).

# Where a Swift toolchain unpacked outside PATH lives (the project's build machines use /opt/swift).
SWIFT_BIN_DIR ?= $(wildcard /opt/swift/usr/bin)
export PATH := $(if $(SWIFT_BIN_DIR),$(SWIFT_BIN_DIR):)$(PATH)

# The swift driver to use.
SWIFT ?= swift
# Directory `make demo` writes the demo federation's homes, roster and HTML report to.
DEMO_DIR ?= demo-out
# Extra flags for `swift test`, e.g. SWIFT_TEST_FLAGS='--filter ModelTests'.
SWIFT_TEST_FLAGS ?=
# Benchmark programs under Benchmarks/ that `make bench` runs, in order. Add a script here when
# it lands in Benchmarks/; listing only existing ones keeps `make bench` working meanwhile.
BENCHMARKS ?=

.PHONY: all deps build release test demo bench lint-docker lint-systemd clean

all: build

deps:
	scripts/install-deps.sh

build: deps
	$(SWIFT) build

# Only the product: the benchmark programs are built by `make bench`.
release: deps
	$(SWIFT) build -c release --product citybench

# Builds the tests once, then runs every suite. No --parallel: on 2 cores it was not faster
# (measured, see the ops report) and Swift Testing already runs tests concurrently in-process.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

demo: release
	.build/release/citybench demo --dir $(DEMO_DIR)

bench: release
	$(SWIFT) build -c release
	@set -e; list='$(strip $(BENCHMARKS))'; \
	if [ -z "$$list" ]; then echo "bench: no benchmarks listed in BENCHMARKS yet"; fi; \
	for b in $$list; do echo "== Benchmarks/$$b"; "Benchmarks/$$b"; done

lint-docker:
	scripts/check-dockerfile.sh

lint-systemd:
	scripts/check-systemd.sh

clean:
	rm -rf .build .build-docker-check $(DEMO_DIR)
