//go:build tools

// Package tools records the commands as dependencies so `go mod tidy` keeps their module graph;
// scripts/build-apiserver.sh runs `go build` on them.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
