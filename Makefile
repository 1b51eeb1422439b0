# Each target wraps an npm script or a project script; `make start` and `make test` are the whole set-up.
.PHONY: help start test test-unit chromium generate generate-event-docs postman check-generated lint format build migrate bench bench-import bench-scale test-pgbouncer install

NPM_INSTALL_STAMP := node_modules/.package-lock.json

help: ## List the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  make %-20s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# The build needs the devDependencies (esbuild, typescript) whatever NODE_ENV says: with
# NODE_ENV=production, `npm ci` alone would leave them out.
$(NPM_INSTALL_STAMP): package.json package-lock.json
	npm ci --include=dev --no-audit --no-fund
	@touch $@

install: $(NPM_INSTALL_STAMP) ## Install the exact dependencies of package-lock.json (dev ones included)

build: install ## Build the service (dist/) and the staff console
	npm run build

start: build ## Serve on PORT (default 3000); with no DATABASE_URL, on an embedded PostgreSQL under ./data
	node dist/src/main.js

test: install chromium ## Run the whole suite in parallel groups, then list the ten slowest spec files (against DATABASE_URL when set, else a throw-away embedded PostgreSQL); test/README.md
	npm test

test-unit: install ## Run the unit specs only (test/unit: no database, no service; under a minute)
	npm run --silent test:unit

test-pgbouncer: install ## Run the multi-instance specs again through PgBouncer in transaction mode (installs Debian's pgbouncer if missing; needs DATABASE_URL)
	bash scripts/test-pgbouncer.sh

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	npm run --silent ensure-chromium

generate: install ## Regenerate generated/ from openapi/ and asyncapi/
	npm run generate

generate-event-docs: install ## Render the AsyncAPI HTML docs (installs the ~400 MB generator on demand)
	node scripts/generate-event-docs.mjs

postman: generate ## Regenerate the Postman collection (docs/postman/) from the contract
	node scripts/generate-postman.mjs

check-generated: generate postman ## Fail when generated/ or the Postman collection differs from a fresh generation
	git diff --exit-code -- generated/ docs/postman/ || (echo "generated/ or docs/postman/ is stale: run make generate postman and commit" && exit 1)

format: install ## Format the code with Prettier (.prettierrc.json); make lint checks it
	npm run format

lint: install ## Check the formatting (Prettier), type-check, ESLint, and lint the contracts (Redocly, Spectral, AsyncAPI parser)
	npm run lint

migrate: build ## Apply the database migrations without serving
	node dist/src/cli.js migrate

bench: build ## Benchmark the production build against a bare node:http + pg reference (~8 min)
	npx tsx bench/run.ts

bench-import: build ## Time and peak service RSS of a 100,000-row CSV product import (dry run, apply, re-apply) on a scratch database (BENCH_IMPORT_ROWS)
	npx tsx bench/import.ts

bench-scale: build ## Latency of every list at 1,000 vs BENCH_SCALE_N (default 1,000,000) rows, on a scratch database (BENCH_SCALE_MODE=write: the write path)
	npx tsx bench/scale.ts
