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

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

apt_install_missing "the local speech engines" espeak-ng pocketsphinx pocketsphinx-en-us

command -v espeak-ng >/dev/null 2>&1 || { log "espeak-ng is not on PATH after install" >&2; exit 1; }
command -v pocketsphinx_continuous >/dev/null 2>&1 || { log "pocketsphinx_continuous is not on PATH after install" >&2; exit 1; }
[ -d /usr/share/pocketsphinx/model/en-us/en-us ] || { log "the pocketsphinx en-us model is missing" >&2; exit 1; }
log "ready: $(command -v espeak-ng), $(command -v pocketsphinx_continuous)"
