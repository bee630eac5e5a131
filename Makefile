# Cairn — build, run and test. `make run` and `make test` are all a new
# machine needs (see README.md).

GO        ?= go
BIN       := bin/cairn
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME  ?= 10s
# simd/archsimd (Go 1.26, experimental) gives PUTs their 16-lane MD5
# (s3api/internal/md5lanes); without it the same code uses crypto/md5.
export GOEXPERIMENT ?= simd
# Packages whose tests run in-process (everything but the end-to-end suite).
UNIT_PKGS  = $(shell $(GO) list ./... | grep -v /e2e)

.PHONY: all build run test vet unit e2e fuzz smoke clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/cairn

# A single node on the embedded default (4 drives, 2+2) with its data in .run/data.
run: build
	mkdir -p .run && cd .run && exec ../$(BIN) server

test: build vet unit e2e fuzz smoke

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 $(UNIT_PKGS)

# Real `cairn server` processes driven by aws-sdk-go-v2 and minio-go.
e2e: build
	CAIRN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./cmd/cairn/e2e/

# Each fuzz target runs briefly; the seed corpora also run in `unit`.
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# The installed aws cli against a real server.
smoke: build
	scripts/smoke-awscli.sh $(BIN)
	scripts/smoke-iam.sh $(BIN)

clean:
	rm -rf bin .run
