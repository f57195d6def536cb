#!/usr/bin/env bash
# Runs the e2e suite once per Kubernetes minor of test/e2e/kubernetes-versions.json (or those E2E_K8S
# lists, comma-separated), each on its own kube-apiserver, etcd and kubectl. Extra arguments go to
# `node --test` (e.g. --test-name-pattern=policy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The project's Node (npm ci installs it; npm scripts put it first on PATH already).
export PATH="$ROOT/node_modules/.bin:$PATH"
minors="$(bash "$ROOT/scripts/provision.sh" minors)"
for minor in $minors; do
  echo "== e2e on Kubernetes $minor"
  started=$SECONDS
  E2E_K8S="$minor" node --import tsx --test --test-reporter=spec --test-concurrency=1 "$@" 'test/e2e/**/*.test.ts'
  echo "== e2e on Kubernetes $minor passed in $((SECONDS - started)) s"
done
