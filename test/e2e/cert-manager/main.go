// cert-manager-e2e runs cert-manager's own issuing controllers and CA injector against the e2e
// harness's kube-apiserver, so the chart's default path (self-signed Issuer -> CA Certificate -> CA
// Issuer -> serving Certificate, cert-manager.io/inject-ca-from on both webhook configurations) is
// proven against cert-manager's code, not a stand-in.
//
// cert-manager's cmd/* are separate modules the Go proxy does not serve, so this is the part of
// cmd/controller/app/controller.go (Run: build the ContextFactory, construct every enabled
// controller from controller.Known(), start the informer factories) and cmd/cainjector/app/controller.go
// (Run: a controller-runtime manager, cainjector.RegisterAllInjectors) that the harness needs, on the
// same packages. No leader election, metrics or health servers: one short-lived replica.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cmscheme "github.com/cert-manager/cert-manager/pkg/client/clientset/versioned/scheme"
	"github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	apireg "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	// Each controller registers itself with controller.Register in its package's init().
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The issuers controller sets an Issuer Ready from the issuer type's Setup, registered here.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

// The controllers the chart's path needs: an Issuer made Ready, a Certificate's private key, request,
// approval, signing (self-signed and CA), the Secret written, readiness and old requests pruned.
var defaultControllers = []string{
	"issuers",
	"certificates-trigger",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-issuing",
	"certificates-readiness",
	"certificates-revision-manager",
	"certificaterequests-approver",
	"certificaterequests-issuer-selfsigned",
	"certificaterequests-issuer-ca",
}

func main() {
	// A flag set of its own: controller-runtime registers --kubeconfig on the global one in an init().
	fs := flag.NewFlagSet("cert-manager-e2e", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the API server to run against")
	namespace := fs.String("namespace", "", "namespace to operate in (default: all)")
	controllers := fs.String("controllers", strings.Join(defaultControllers, ","), "comma-separated cert-manager controllers to run")
	noInjector := fs.Bool("no-cainjector", false, "do not run the CA injector")
	klog.InitFlags(fs)
	_ = fs.Parse(os.Args[1:])
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "cert-manager-e2e: --kubeconfig is required")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := klog.Background()
	ctx = logf.NewContext(ctx, log)
	ctrl.SetLogger(log)

	g, gctx := errgroup.WithContext(ctx)
	if err := runControllers(gctx, g, *kubeconfig, *namespace, strings.Split(*controllers, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager-e2e: controllers: %v\n", err)
		os.Exit(1)
	}
	if !*noInjector {
		if err := runCAInjector(gctx, g, *kubeconfig, *namespace); err != nil {
			fmt.Fprintf(os.Stderr, "cert-manager-e2e: cainjector: %v\n", err)
			os.Exit(1)
		}
	}
	fmt.Println("cert-manager-e2e: started")
	if err := g.Wait(); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "cert-manager-e2e: %v\n", err)
		os.Exit(1)
	}
}

// runControllers follows cmd/controller/app/controller.go Run: every enabled constructor from
// controller.Known() is built before the shared informer factories start, so their informers are
// registered with the factories first.
func runControllers(ctx context.Context, g *errgroup.Group, kubeconfig, namespace string, enabled []string) error {
	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		Kubeconfig:         kubeconfig,
		KubernetesAPIQPS:   50,
		KubernetesAPIBurst: 100,
		Namespace:          namespace,
		IssuerOptions:      controller.IssuerOptions{ClusterResourceNamespace: "cert-manager"},
		CertificateOptions: controller.CertificateOptions{
			// cert-manager's defaults (cmd/controller/app/options): a failed request backs off 1 h, at most 32 h.
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
	})
	if err != nil {
		return err
	}
	cctx, err := factory.Build()
	if err != nil {
		return err
	}
	known := controller.Known()
	for _, name := range enabled {
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("no cert-manager controller %q is registered", name)
		}
		iface, err := construct(factory)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		g.Go(func() error { return iface.Run(1, ctx) })
	}
	cctx.SharedInformerFactory.Start(ctx.Done())
	cctx.KubeSharedInformerFactory.Start(ctx.Done())
	cctx.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	return nil
}

// runCAInjector follows cmd/cainjector/app/controller.go Run: a controller-runtime manager whose
// client does not cache Secrets, and the injectors for the two webhook configuration kinds.
func runCAInjector(ctx context.Context, g *errgroup.Group, kubeconfig, namespace string) error {
	restConfig, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	// As cmd/cainjector/app/controller.go: the user agent names the field manager of its apply patches.
	restConfig = util.RestConfigWithUserAgent(restConfig, "cainjector")
	scheme := runtime.NewScheme()
	utilruntime.Must(kscheme.AddToScheme(scheme))
	utilruntime.Must(cmscheme.AddToScheme(scheme))
	utilruntime.Must(apiext.AddToScheme(scheme))
	utilruntime.Must(apireg.AddToScheme(scheme))
	opts := ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cache.Options{ReaderFailOnMissingInformer: true},
		Client:                 client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	}
	if namespace != "" {
		opts.Cache.DefaultNamespaces = map[string]cache.Config{namespace: {}}
	}
	mgr, err := ctrl.NewManager(restConfig, opts)
	if err != nil {
		return err
	}
	err = cainjector.RegisterAllInjectors(ctx, mgr, cainjector.SetupOptions{
		Namespace:                    namespace,
		EnableCertificatesDataSource: true,
		EnabledReconcilersFor: map[string]bool{
			cainjector.MutatingWebhookConfigurationName:   true,
			cainjector.ValidatingWebhookConfigurationName: true,
		},
	})
	if err != nil {
		return err
	}
	g.Go(func() error { return mgr.Start(ctx) })
	return nil
}
