//go:build tools

// Package tools records etcd's server command as a dependency so `go mod tidy` keeps its module
// graph; scripts/build-apiserver.sh runs `go build go.etcd.io/etcd/server/v3`.
package tools

import _ "go.etcd.io/etcd/server/v3"
