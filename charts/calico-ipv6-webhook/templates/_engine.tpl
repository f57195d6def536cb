{{/*
admission.engine: who judges the target objects. webhook (default): the server, through the webhook
configurations; policy: the API server itself, through the generated admission policies
(policies.generated.yaml), with no Deployment, Service, certificates or webhook configurations; hybrid:
policies for calico-node and kube-dns (the CNI's bootstrap path), the webhook for the rest and for the
objects the policies leave to it. Refuses any other value (values.schema.json does too).
*/}}
{{- define "calico-ipv6-webhook.engine" -}}
{{- $engine := .Values.admission.engine | default "webhook" | toString }}
{{- if not (has $engine (list "webhook" "policy" "hybrid")) }}
{{- fail (printf "admission.engine must be webhook, policy or hybrid, got %q" $engine) }}
{{- end }}
{{- $engine }}
{{- end }}

{{/* "true" when the webhook configurations are rendered (engine webhook or hybrid). */}}
{{- define "calico-ipv6-webhook.webhookEngine" -}}
{{- if ne (include "calico-ipv6-webhook.engine" .) "policy" }}true{{ end }}
{{- end }}

{{/* "true" when the in-cluster server runs: server.enabled, and an engine with a webhook. */}}
{{- define "calico-ipv6-webhook.runsServer" -}}
{{- if and .Values.server.enabled (eq (include "calico-ipv6-webhook.webhookEngine" .) "true") }}true{{ end }}
{{- end }}

{{/*
The MutatingAdmissionPolicy apiVersion: v1 where the cluster serves it (GA in Kubernetes 1.36), else
v1beta1 (1.34 and 1.35 with --feature-gates=MutatingAdmissionPolicy=true and
--runtime-config=admissionregistration.k8s.io/v1beta1=true). helm template has no cluster to ask, so a
--kube-version of 1.36 or later also means v1.
*/}}
{{- define "calico-ipv6-webhook.mutatingPolicyApiVersion" -}}
{{- if or (.Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy") (semverCompare ">=1.36.0-0" .Capabilities.KubeVersion.Version) -}}
admissionregistration.k8s.io/v1
{{- else -}}
admissionregistration.k8s.io/v1beta1
{{- end }}
{{- end }}
