{{/* Label matchers for the webhook's own series: the ServiceMonitor's targets get job=<Service name>. */}}
{{- define "calico-ipv6-webhook.metricsSelector" -}}
namespace="{{ .Release.Namespace }}", job="{{ include "calico-ipv6-webhook.fullname" . }}"
{{- end }}

{{/* A Go duration (720h, 720h0m0s, 1.5h, 90s) as whole seconds, for PromQL. */}}
{{- define "calico-ipv6-webhook.durationSeconds" -}}
{{- $units := dict "h" 3600.0 "m" 60.0 "s" 1.0 "ms" 0.001 "us" 0.000001 "µs" 0.000001 "ns" 0.000000001 }}
{{- $total := 0.0 }}
{{- range regexFindAll "[0-9.]+(ns|us|µs|ms|s|m|h)" . -1 }}
{{- $unit := regexFind "(ns|us|µs|ms|s|m|h)$" . }}
{{- $total = addf $total (mulf (float64 (trimSuffix $unit .)) (get $units $unit)) }}
{{- end }}
{{- int64 $total }}
{{- end }}
