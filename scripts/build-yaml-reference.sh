#!/usr/bin/env bash
# Builds test/yaml-reference (how Kubernetes reads a manifest: k8s.io/apimachinery's YAMLOrJSONDecoder
# and sigs.k8s.io/yaml, from the Go module proxy) to .cache/bin/yaml-reference for the meaning tests.
# Idempotent: rebuilt only when go.mod, go.sum or main.go change (sha256 stamp). Needs Go.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/test/yaml-reference"
BIN="$ROOT/.cache/bin"
mkdir -p "$BIN"

STAMP="$BIN/yaml-reference.stamp"
WANT_STAMP="$(cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" "$MOD_DIR/main.go" | sha256sum | cut -d' ' -f1)"
if [[ -x "$BIN/yaml-reference" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_STAMP" ]]; then
  echo "[build-yaml-reference] up to date" >&2
  exit 0
fi
command -v go >/dev/null || { echo "[build-yaml-reference] go is required to build test/yaml-reference" >&2; exit 1; }
echo "[build-yaml-reference] building the Kubernetes YAML reference decoder" >&2
# -mod=mod: go.sum is committed, but a Go that wants to record more sums may.
(cd "$MOD_DIR" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$BIN/yaml-reference.tmp" .)
mv -f "$BIN/yaml-reference.tmp" "$BIN/yaml-reference"
printf '%s\n' "$WANT_STAMP" >"$STAMP"
