# voicewatch — `make test` is the one command that passes every test on a
# fresh Debian machine: it installs what the tests need through apt, then
# runs vet and every unit and integration test.

GO           ?= go
TEST_TIMEOUT ?= 20m
BENCH        ?= .

.PHONY: all build test test-deps vet unit bench demo clean

all: build

build:
	$(GO) build -o bin/agent ./cmd/agent
	$(GO) build -o bin/probe ./cmd/probe

test: test-deps vet unit

test-deps:
	@scripts/install-test-deps.sh

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

# Benchmarks compare against their baselines in the same run; results are
# recorded in docs/benchmarks.md.
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -timeout 30m ./...

demo:
	$(GO) run ./cmd/agent demo

clean:
	rm -rf bin
