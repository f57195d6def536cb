//go:build tools

// Package tools only records the kube-apiserver command as a dependency so `go mod tidy` keeps
// its whole module graph; the build script runs `go build k8s.io/kubernetes/cmd/kube-apiserver`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
