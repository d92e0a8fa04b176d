{{/* Names and labels. */}}
{{- define "callbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "callbridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of one component's objects: (dict "root" $ "component" "ingest"). */}}
{{- define "callbridge.componentName" -}}
{{- printf "%s-%s" (include "callbridge.fullname" .root | trunc 55 | trimSuffix "-") .component }}
{{- end }}

{{- define "callbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "callbridge.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "callbridge.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "callbridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: callbridge
{{- end }}

{{- define "callbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "callbridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An app's image: (dict "root" $ "image" .Values.ingest.image). */}}
{{- define "callbridge.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}

{{/*
Pod grace periods, derived from the drain deadlines so the two cannot drift; scripts/check-helm.sh
checks the rendered numbers against the apps' deadlines. The worker's process deadline is
SHUTDOWN_TIMEOUT_MS + 15 s (apps/worker/src/main.ts: shutdownDeadlineMs); the ingest's is
SHUTDOWN_TIMEOUT_MS (apps/ingest/src/main.ts), after its preStop sleep.
*/}}
{{- define "callbridge.workerProcessDeadlineMs" -}}
{{- add .Values.worker.shutdownTimeoutMs 15000 }}
{{- end }}

{{- define "callbridge.worker.terminationGracePeriodSeconds" -}}
{{- add (div (add (include "callbridge.workerProcessDeadlineMs" . | int64) 999) 1000) .Values.worker.terminationGraceMarginSeconds }}
{{- end }}

{{- define "callbridge.ingest.terminationGracePeriodSeconds" -}}
{{- add .Values.ingest.preStopSleepSeconds (div (add .Values.ingest.shutdownTimeoutMs 999) 1000) .Values.ingest.terminationGraceMarginSeconds }}
{{- end }}

{{/* REDIS_URL, from the Secret or the plain URL; nothing when neither is set. */}}
{{- define "callbridge.redisEnv" -}}
{{- if .Values.redis.existingSecret.name }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret.name }}
      key: {{ .Values.redis.existingSecret.key }}
{{- else if .Values.redis.url }}
- name: REDIS_URL
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- end }}

{{- define "callbridge.redisConfigured" -}}
{{- if or .Values.redis.existingSecret.name .Values.redis.url }}true{{ end }}
{{- end }}

{{/*
The user's extra env of one app (a map), each value quoted: (dict "env" .Values.ingest.env).
YAML numbers reach templates as float64, which would print 1048576 as 1.048576e+06: whole
numbers are printed as integers.
*/}}
{{- define "callbridge.extraEnv" -}}
{{- range $name, $value := .env }}
- name: {{ $name }}
  {{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
  value: {{ int64 $value | toString | quote }}
  {{- else }}
  value: {{ $value | toString | quote }}
  {{- end }}
{{- end }}
{{- end }}

{{- define "callbridge.routesConfigMapName" -}}
{{- default (printf "%s-routes" (include "callbridge.fullname" .)) .Values.ingest.routes.existingConfigMap }}
{{- end }}

{{- define "callbridge.recipientPolicyConfigMapName" -}}
{{- default (printf "%s-recipient-policy" (include "callbridge.fullname" .)) .Values.worker.recipientPolicy.existingConfigMap }}
{{- end }}

{{/* The pod spec's parts both apps share: (dict "root" $ "app" .Values.ingest "component" "ingest"). */}}
{{- define "callbridge.podPlacement" -}}
{{- with .app.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .app.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .app.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .app.topologySpreadConstraints }}
{{- /* A constraint without a labelSelector gets the app's own pods' labels. */}}
topologySpreadConstraints:
  {{- range . }}
  {{- $selector := dict "matchLabels" (include "callbridge.selectorLabels" (dict "root" $.root "component" $.component) | fromYaml) }}
  - {{ toYaml (merge (deepCopy .) (dict "labelSelector" $selector)) | indent 4 | trim }}
  {{- end }}
{{- end }}
{{- end }}
