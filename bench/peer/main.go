// The Go peer of the benchmark: what a user who does not pick this project writes — a controller-runtime
// admission.Webhook on a TLS net/http server that sets only the five IPv6 env vars of calico-node.
// Usage: peer <cert> <key>; listens on 127.0.0.1:0 and prints {"msg":"peer serving","url":"https://127.0.0.1:PORT"}
// (the ready line bench/harness.ts waits for, in the webhook's own shape). Built by bench/peer-build.ts.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

var ipv6Env = []corev1.EnvVar{
	{Name: "CALICO_IPV6POOL_CIDR", Value: "fd20::/112"},
	{Name: "IP6", Value: "autodetect"},
	{Name: "FELIX_IPV6SUPPORT", Value: "true"},
	{Name: "IP", Value: "none"},
	{Name: "CALICO_ROUTER_ID", Value: "hash"},
}

type handler struct{}

func setEnv(c *corev1.Container) {
	for _, want := range ipv6Env {
		found := false
		for i := range c.Env {
			if c.Env[i].Name == want.Name {
				c.Env[i].Value, c.Env[i].ValueFrom, found = want.Value, nil, true
			}
		}
		if !found {
			c.Env = append(c.Env, want)
		}
	}
}

func (handler) Handle(_ context.Context, req admission.Request) admission.Response {
	if req.Kind.Kind != "DaemonSet" {
		var obj map[string]any // other objects: decode, then allow
		if err := json.Unmarshal(req.Object.Raw, &obj); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
		return admission.Allowed("")
	}
	var ds appsv1.DaemonSet
	if err := json.Unmarshal(req.Object.Raw, &ds); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	if ds.Name != "calico-node" {
		return admission.Allowed("")
	}
	for i := range ds.Spec.Template.Spec.Containers {
		if ds.Spec.Template.Spec.Containers[i].Name == "calico-node" {
			setEnv(&ds.Spec.Template.Spec.Containers[i])
		}
	}
	out, err := json.Marshal(&ds)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, out)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: peer <cert> <key>")
		os.Exit(2)
	}
	// A discard logger: without one, controller-runtime prints "log.SetLogger(...) was never called" and a
	// stack 30 s after start (pkg/log/log.go:54-65, v0.25.3); the peer logs nothing, as the bench wants.
	ctrllog.SetLogger(logr.Discard())
	mux := http.NewServeMux()
	mux.Handle("/mutate", &admission.Webhook{Handler: handler{}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("{\"msg\":\"peer serving\",\"url\":\"https://%s\"}\n", ln.Addr())
	if err := http.ServeTLS(ln, mux, os.Args[1], os.Args[2]); err != nil {
		panic(err)
	}
}
