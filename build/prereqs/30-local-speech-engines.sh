#!/usr/bin/env bash
# Prerequisites of Pipeline.LocalEngines and its tests: Debian's espeak-ng (text to speech) and pocketsphinx with its
# US-English acoustic model, language model and dictionary (speech to text). Idempotent; needs root (or sudo) only
# when a package is missing.
#   espeak-ng            1.51 (bookworm)              GPL-3.0+   /usr/bin/espeak-ng
#   pocketsphinx         0.8+5prealpha (bookworm)     BSD-2      /usr/bin/pocketsphinx_continuous
#   pocketsphinx-en-us   0.8+5prealpha (bookworm)     BSD-2      /usr/share/pocketsphinx/model/en-us/
# The library looks for the programs on PATH and for the model in the directory above (overridable in its options).
set -euo pipefail

log() { echo "local-speech-engines: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root to run: $*" >&2; exit 1; fi
}

missing=()
for pkg in espeak-ng pocketsphinx pocketsphinx-en-us; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null 2>&1; then
    log "install ${missing[*]} (Debian/Ubuntu packages) for the local speech engines" >&2; exit 1
  fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
  # Waits for the dpkg lock when another apt runs (shared build machines), and retries once after
  # `dpkg --configure -a` (a concurrent job can leave dpkg half-configured; the second pass completes the install).
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

command -v espeak-ng >/dev/null 2>&1 || { log "espeak-ng is not on PATH after install" >&2; exit 1; }
command -v pocketsphinx_continuous >/dev/null 2>&1 || { log "pocketsphinx_continuous is not on PATH after install" >&2; exit 1; }
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { log "the pocketsphinx en-us model is missing" >&2; exit 1; }
log "ready: $(command -v espeak-ng), $(command -v pocketsphinx_continuous)"
