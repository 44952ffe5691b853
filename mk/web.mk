# Website widget: rasa-webchat from the npm registry (pinned with its checksum in
# web/package-lock.json) and Debian's Chromium for the browser tests.
WEB_PORT ?= 8080
export WEB_PORT
WEBCHAT_BUILD := web/node_modules/rasa-webchat/lib/index.js
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: web-assets browser serve-web

web-assets: $(WEBCHAT_BUILD)  ## fetch rasa-webchat and axe-core (npm ci)
# npm ci installs exactly the lock and verifies every integrity checksum; peers (React)
# are skipped because lib/index.js is a standalone build with React bundled.
$(WEBCHAT_BUILD): web/package.json web/package-lock.json
	cd web && npm ci --omit=peer --ignore-scripts --no-audit --no-fund
	@touch $@

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
