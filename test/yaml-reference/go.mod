// The Kubernetes decoder as a reference for the meaning tests (see main.go). A separate module so the
// Go dependencies never touch the TypeScript project.
module calico-ipv6-webhook/test/yaml-reference

go 1.24.0

require (
	golang.org/x/text v0.23.0
	k8s.io/apimachinery v0.33.13
)

require (
	sigs.k8s.io/json v0.0.0-20241010143419-9aa6b5e7a4b3 // indirect
	sigs.k8s.io/yaml v1.4.0 // indirect
)
