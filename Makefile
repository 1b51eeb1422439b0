# Each target wraps an npm script or a project script; `make start` and `make test` are the whole set-up.
.PHONY: start test chromium generate generate-event-docs postman check-generated lint build migrate bench install

NPM_INSTALL_STAMP := node_modules/.package-lock.json

$(NPM_INSTALL_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_INSTALL_STAMP)

build: install
	npm run build

## Serve on PORT (default 3000); with no DATABASE_URL, on an embedded PostgreSQL under ./data
start: build
	node dist/src/main.js

## Run the whole test suite (against DATABASE_URL when set, else a throw-away embedded PostgreSQL)
test: install chromium
	npm test

## Debian's Chromium for the browser tests (installed with apt-get when missing)
chromium:
	npm run --silent ensure-chromium

## Regenerate generated/ from openapi/ and asyncapi/
generate: install
	npm run generate

## Render the AsyncAPI HTML docs (installs the ~400 MB generator on demand, outside the main install)
generate-event-docs: install
	node scripts/generate-event-docs.mjs

## Regenerate the Postman collection (docs/postman/) from the contract
postman: generate
	node scripts/generate-postman.mjs

## Fail when generated/ or the Postman collection differs from a fresh generation
check-generated: generate postman
	git diff --exit-code -- generated/ docs/postman/ || (echo "generated/ or docs/postman/ is stale: run make generate postman and commit" && exit 1)

lint: install
	npm run lint

migrate: build
	node dist/src/cli.js migrate

## Benchmark the production build against a bare node:http + pg reference (prints a table; ~5 min)
bench: build
	npx tsx bench/run.ts
