{{/* Names and labels, as `helm create` makes them, so operators find what they expect. */}}
{{- define "coffer.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "coffer.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "coffer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coffer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "coffer.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "coffer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "coffer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "coffer.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* A digest pins the exact image; else the tag, else the chart's appVersion. Never "latest". */}}
{{- define "coffer.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if eq $tag "latest" }}{{ fail "image.tag: 'latest' is refused; name the version to run" }}{{ end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "coffer.manager" -}}
{{- .Values.objectStorage.secretManager.manager }}
{{- end }}

{{- define "coffer.dataClaim" -}}
{{- default (printf "%s-data" (include "coffer.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/*
Checks the schema also makes, repeated here so that they hold when the schema is skipped
(helm --skip-schema-validation, or tools that render templates without Helm).
*/}}
{{- define "coffer.validate" -}}
{{- $sm := .Values.objectStorage.secretManager }}
{{- if not (has $sm.manager (list "filebased" "securestore")) }}
{{- fail (printf "objectStorage.secretManager.manager must be filebased or securestore, not %v" $sm.manager) }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (ne $sm.manager "securestore") }}
{{- fail (printf "replicaCount=%d needs objectStorage.secretManager.manager=securestore: filebased keeps its data in one SQLite file that only one pod may open" (int .Values.replicaCount)) }}
{{- end }}
{{- $_ := required "masterKey.existingSecret: name an existing Secret holding the key-encryption key(s); create one with: kubectl create secret generic coffer-master-key --from-literal=master-key=\"k1:$(openssl rand -base64 32)\"" .Values.masterKey.existingSecret }}
{{- if eq $sm.manager "securestore" }}
{{- $_ := required "database.existingSecret: securestore needs an existing Secret holding the PostgreSQL URL" .Values.database.existingSecret }}
{{- end }}
{{- if .Values.metrics.enabled }}
{{- $_ := required "metrics.tokenSecret.name: metrics need an existing Secret holding the scrape token (32+ characters)" .Values.metrics.tokenSecret.name }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: there is no /metrics to scrape" }}
{{- end }}
{{- end }}
