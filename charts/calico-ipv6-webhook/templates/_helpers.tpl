{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "calico-ipv6-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: release and chart name, or just the release name when it already contains the chart name.
Kept to 52 characters so that suffixed names (-selfsigned, -config, ...) stay within 63.
*/}}
{{- define "calico-ipv6-webhook.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "calico-ipv6-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "calico-ipv6-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "calico-ipv6-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "calico-ipv6-webhook.labels" -}}
helm.sh/chart: {{ include "calico-ipv6-webhook.chart" . }}
{{ include "calico-ipv6-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: admission-webhook
{{- end }}

{{- define "calico-ipv6-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "calico-ipv6-webhook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "calico-ipv6-webhook.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Names shared between the Deployment, the Service, the certificates and the webhook configurations. */}}
{{- define "calico-ipv6-webhook.configMapName" -}}
{{- printf "%s-config" (include "calico-ipv6-webhook.fullname" .) }}
{{- end }}

{{- define "calico-ipv6-webhook.servingCertName" -}}
{{- printf "%s-serving" (include "calico-ipv6-webhook.fullname" .) }}
{{- end }}

{{- define "calico-ipv6-webhook.tlsSecretName" -}}
{{- if .Values.certManager.enabled }}
{{- printf "%s-tls" (include "calico-ipv6-webhook.fullname" .) }}
{{- else }}
{{- required "tls.existingSecret is required when certManager.enabled=false: a Secret with tls.crt and tls.key" .Values.tls.existingSecret }}
{{- end }}
{{- end }}

{{/* The webhook is reached through the in-cluster Service unless webhook.url is set. */}}
{{- define "calico-ipv6-webhook.urlMode" -}}
{{- if .Values.webhook.url }}true{{ end }}
{{- end }}

{{/*
Refuses value combinations that would render a webhook nobody can reach or trust. Included by
webhooks.yaml, which every install renders.
*/}}
{{- define "calico-ipv6-webhook.checkValues" -}}
{{- if and (not .Values.server.enabled) (not .Values.webhook.url) }}
{{- fail "server.enabled=false requires webhook.url: with no in-cluster server the webhooks must point at one by URL" }}
{{- end }}
{{- if and (not .Values.webhook.url) (not .Values.certManager.enabled) (not .Values.tls.caBundle) }}
{{- fail "tls.caBundle is required when certManager.enabled=false: the base64 PEM of the CA that signed tls.existingSecret" }}
{{- end }}
{{- $drain := add (int .Values.server.shutdownDelaySeconds) (int .Values.server.shutdownTimeoutSeconds) }}
{{- if and .Values.server.enabled (le (int .Values.terminationGracePeriodSeconds) (int $drain)) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than server.shutdownDelaySeconds + server.shutdownTimeoutSeconds (%d), or the pod is killed before it finishes in-flight reviews" (int .Values.terminationGracePeriodSeconds) (int $drain)) }}
{{- end }}
{{- end }}

{{/* clientConfig for one webhook; $path is "/mutate" or "/validate". */}}
{{- define "calico-ipv6-webhook.clientConfig" -}}
{{- $root := index . 0 }}
{{- $path := index . 1 }}
{{- if $root.Values.webhook.url }}
url: {{ printf "%s%s" (trimSuffix "/" $root.Values.webhook.url) $path | quote }}
{{- else }}
service:
  name: {{ include "calico-ipv6-webhook.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  path: {{ $path }}
  port: {{ $root.Values.service.port }}
{{- end }}
{{- if and $root.Values.tls.caBundle (ne (include "calico-ipv6-webhook.injectCA" $root) "true") }}
caBundle: {{ $root.Values.tls.caBundle | nospace }}
{{- end }}
{{- end }}

{{/* cert-manager's cainjector fills caBundle when the webhook is called through the Service. */}}
{{- define "calico-ipv6-webhook.injectCA" -}}
{{- and .Values.certManager.enabled .Values.server.enabled (not .Values.webhook.url) }}
{{- end }}

{{/*
Who reaches the webhook: only the target namespaces, never the webhook's own (when it is not a target).
*/}}
{{- define "calico-ipv6-webhook.namespaceSelector" -}}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: In
      values:
        {{- range .Values.webhook.namespaces }}
        - {{ . | quote }}
        {{- end }}
    {{- if not (has .Release.Namespace .Values.webhook.namespaces) }}
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values:
        - {{ .Release.Namespace | quote }}
    {{- end }}
{{- end }}

{{/*
Never the chart's own objects: with failurePolicy Fail, a webhook that is down must not block the update
that repairs it (matters when it is installed into a target namespace such as kube-system and the cluster
is too old for matchConditions).
*/}}
{{- define "calico-ipv6-webhook.objectSelector" -}}
objectSelector:
  matchExpressions:
    - key: app.kubernetes.io/name
      operator: NotIn
      values:
        - {{ include "calico-ipv6-webhook.name" . | quote }}
{{- end }}

{{/*
The only objects the webhook acts on, from the target registry (templates/_targets.generated.tpl, written by
npm run generate from src/targets/registry.ts). Rules select the kinds; matchConditions (GA since Kubernetes
1.30, older than any version the chart supports) narrow them to the target names, or to what a target
recognises by content (a DaemonSet running calico/node is calico-node whatever its name), so unrelated
objects in the target namespaces never reach the webhook. Called as (list . $mutating): a target without a
mutate step (IPPools, the kube-proxy ConfigMap) is validated only, so the mutating webhook is not sent it.
*/}}
{{- define "calico-ipv6-webhook.rules" -}}
{{- $which := ternary "mutating" "validating" (index . 1) }}
rules:
  {{- include (printf "calico-ipv6-webhook.targets.rules.%s" $which) (index . 0) | nindent 2 }}
{{ include (printf "calico-ipv6-webhook.targets.matchConditions.%s" $which) (index . 0) }}
{{- end }}

{{/* The `helm test` Pod's labels: not the Service's selector, so it never receives reviews itself. */}}
{{- define "calico-ipv6-webhook.testSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}
