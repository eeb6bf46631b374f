# Entente: the two commands a newcomer needs are `make run` and `make test`.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)

.PHONY: build run test test-short lint openapi-lint bench fuzz perf clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/entente ./cmd/entente

# A demo node on SQLite at http://127.0.0.1:8080 (data in ./entente-data).
run:
	$(GO) run ./cmd/entente serve --demo

# Every test. PostgreSQL runs when ENTENTE_TEST_POSTGRES is set; the browser
# journey when Chromium is installed; the S3 blob store when versitygw is;
# the ActivityPub test against Fedify when its peer is installed (npm ci
# --prefix scripts/fedify-peer, or ENTENTE_TEST_FEDIFY);
# ENTENTE_TEST_STRICT=1 makes them all mandatory.
# go test shows a passing package's output only with -v, so the skips are
# said here, in make's own output, where a newcomer sees them.
test:
	@[ -n "$$ENTENTE_TEST_POSTGRES" ] || echo "make test: SKIPPING the PostgreSQL runs: set ENTENTE_TEST_POSTGRES=postgres://… to run them"
	@command -v chromium >/dev/null 2>&1 || [ -n "$$ENTENTE_CHROMIUM" ] || echo "make test: SKIPPING the browser journeys: apt-get install chromium"
	@command -v versitygw >/dev/null 2>&1 || [ -n "$$ENTENTE_TEST_VERSITYGW" ] || echo "make test: SKIPPING the S3 blob store: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0, or set ENTENTE_TEST_VERSITYGW"
	@[ -n "$$ENTENTE_TEST_FEDIFY" ] || [ -d scripts/fedify-peer/node_modules/@fedify/fedify ] || echo "make test: SKIPPING the ActivityPub test against Fedify: npm ci --prefix scripts/fedify-peer (Node.js and npm), or set ENTENTE_TEST_FEDIFY"
	@command -v libreoffice >/dev/null 2>&1 || echo "make test: SKIPPING the LibreOffice read-back of .docx/.odt exports: apt-get install libreoffice-writer-nogui"
	@[ -n "$$ENTENTE_TEST_ICALENDAR" ] || /usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1 || echo "make test: SKIPPING the iCalendar read-back of event feeds: apt-get install python3-icalendar, or set ENTENTE_TEST_ICALENDAR to a python3 that has it"
	@[ -n "$$ENTENTE_TEST_GEOJSON" ] || /usr/bin/python3 -c 'import geojson' >/dev/null 2>&1 || echo "make test: SKIPPING the GeoJSON validation of map exports: apt-get install python3-geojson, or set ENTENTE_TEST_GEOJSON to a python3 that has it"
	@command -v xmllint >/dev/null 2>&1 || echo "make test: SKIPPING the IATI schema validation of capacity-building exports: apt-get install libxml2-utils"
	$(GO) test -count=1 -timeout 20m $(TESTFLAGS) ./...

test-short:
	$(GO) test -count=1 -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# The OpenAPI document as a node serves it, checked by an independent linter
# (Redocly CLI from npm, recommended rules, see redocly.yaml).
REDOCLY ?= @redocly/cli@2.77.0
openapi-lint:
	@mkdir -p bin
	ENTENTE_OPENAPI_OUT=$(CURDIR)/bin/openapi.json $(GO) test -count=1 -run '^TestOpenAPIDescribesEveryRoute$$' ./cmd/entente
	npx --yes $(REDOCLY) lint --config redocly.yaml bin/openapi.json

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./... | tee bench.out

# Short runs of every fuzz target; longer with FUZZTIME=5m.
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz 'FuzzCheckJSON$$' -fuzztime $(FUZZTIME) ./core
	$(GO) test -run '^$$' -fuzz FuzzCheckJSONAgainstTokens -fuzztime $(FUZZTIME) ./core
	$(GO) test -run '^$$' -fuzz FuzzDecodeJSON -fuzztime $(FUZZTIME) ./internal/web
	$(GO) test -run '^$$' -fuzz FuzzPickLang -fuzztime $(FUZZTIME) ./internal/web
	$(GO) test -run '^$$' -fuzz FuzzDecodeEnvelope -fuzztime $(FUZZTIME) ./internal/federation
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./internal/federation
	$(GO) test -run '^$$' -fuzz FuzzOpenCheckpoint -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz FuzzVerifyInclusion -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz FuzzVerifyConsistency -fuzztime $(FUZZTIME) ./internal/ledger
	$(GO) test -run '^$$' -fuzz FuzzDecodeSnapshot -fuzztime $(FUZZTIME) ./modules/directory
	$(GO) test -run '^$$' -fuzz FuzzParseCategories -fuzztime $(FUZZTIME) ./modules/directory
	$(GO) test -run '^$$' -fuzz FuzzMarkdown -fuzztime $(FUZZTIME) ./modules/correspondence
	$(GO) test -run '^$$' -fuzz FuzzDiff -fuzztime $(FUZZTIME) ./modules/negotiation
	$(GO) test -run '^$$' -fuzz FuzzMarked -fuzztime $(FUZZTIME) ./modules/negotiation
	$(GO) test -run '^$$' -fuzz FuzzApplyAct -fuzztime $(FUZZTIME) ./modules/negotiation
	$(GO) test -run '^$$' -fuzz FuzzDecodePublication -fuzztime $(FUZZTIME) ./modules/norms
	$(GO) test -run '^$$' -fuzz FuzzParseObject -fuzztime $(FUZZTIME) ./modules/intel
	$(GO) test -run '^$$' -fuzz FuzzStreamObjects -fuzztime $(FUZZTIME) ./modules/intel
	$(GO) test -run '^$$' -fuzz FuzzCheckPattern -fuzztime $(FUZZTIME) ./modules/intel
	$(GO) test -run '^$$' -fuzz FuzzPropsOf -fuzztime $(FUZZTIME) ./modules/intel
	$(GO) test -run '^$$' -fuzz FuzzFromMISP -fuzztime $(FUZZTIME) ./modules/intel/misp

# Start-up time, idle memory and latency under load (see docs/performance.md).
perf: build
	$(GO) run ./scripts/perf -bin bin/entente

clean:
	rm -rf bin bench.out
