# Website widget: our own (web/src/), bundled by esbuild with socket.io-client (both from the
# npm registry, pinned with their checksums in web/package-lock.json), and Debian's Chromium
# for the browser tests.
WEB_PORT ?= 8080
export WEB_PORT
WIDGET_BUILD := web/dist/manifest.json
WIDGET_SOURCES := $(wildcard web/src/*.js web/src/*.css web/src/chat/*.js) web/avatar.svg web/build.mjs
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: web-assets browser serve-web widget-weight

web-assets: $(WIDGET_BUILD)  ## build the widget (npm ci, then esbuild: web/dist/)
# npm ci installs exactly the lock and verifies every integrity checksum; no package's
# install script runs (esbuild's binary comes as its own platform package).
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@
$(WIDGET_BUILD): web/node_modules/.package-lock.json $(WIDGET_SOURCES)
	cd web && node build.mjs

# Bytes and requests of the widget's first open, and its time to the greeting on slow 3G.
widget-weight: venv model web-assets browser  ## what the widget costs a visitor (before/after)
	$(PY) scripts/widget_weight.py

# Playwright drives this Chromium via executable_path; it never downloads a browser.
# Each is installed when it is missing: a machine with Chromium but no CJK font would render
# the Chinese screenshots as boxes.
browser: $(CHROMIUM) $(CJK_FONT)  ## install Debian's Chromium and CJK fonts for the browser tests
$(CHROMIUM):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
$(CJK_FONT):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-noto-cjk

# Only the web page (the Rasa server runs separately), e.g. to try colours.
serve-web: venv web-assets  ## only the website and staff console (no Rasa)
	$(PY) -m web_app

run: web-assets
pytest: web-assets browser
stack-up: web-assets
