#!/usr/bin/env bash
# Prerequisite of the main example (examples/HeyGenAvatarBot) and its tests: Debian's ffmpeg, which encodes the
# scripted mode's avatar.mp4 (H.264 + AAC) from the raw frames and audio the example pipes into it, and whose ffprobe
# the tests use to check that file. Idempotent; needs root (or sudo) only when the package is missing.
#   ffmpeg   5.1 (bookworm)   LGPL-2.1+/GPL-2+   /usr/bin/ffmpeg, /usr/bin/ffprobe
set -euo pipefail

log() { echo "ffmpeg: $*"; }

# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

apt_install_missing "the example's MP4 output" ffmpeg

command -v ffmpeg >/dev/null 2>&1 || { log "ffmpeg is not on PATH after install" >&2; exit 1; }
command -v ffprobe >/dev/null 2>&1 || { log "ffprobe is not on PATH after install" >&2; exit 1; }
log "ready: $(command -v ffmpeg)"
