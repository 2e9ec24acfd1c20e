#!/usr/bin/env bash
# Prerequisite of the WebSocket transport's browser test (tests/Pipeline.WebSocket.Tests): Debian's Chromium, driven
# headless by Microsoft.Playwright through its executable path (Playwright never downloads a browser here), and
# espeak-ng (installed by 30-local-speech-engines.sh) to speak the fake microphone's WAV. Idempotent; needs root (or
# sudo) only when the package is missing.
#   chromium   (bookworm-security)   BSD-3-Clause and others   /usr/bin/chromium
# The test looks for the browser at PIPELINE_CHROMIUM, else /usr/bin/chromium.
set -euo pipefail

log() { echo "chromium: $*"; }

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

# fonts-liberation: the playground's captions render with a real font in the screenshot (headless Chromium has none).
apt_install_missing "the browser playground test" chromium fonts-liberation

command -v chromium >/dev/null 2>&1 || { log "chromium is not on PATH after install" >&2; exit 1; }
log "ready: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
