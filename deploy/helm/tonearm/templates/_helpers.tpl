{{- define "tonearm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tonearm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tonearm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tonearm.labels" -}}
helm.sh/chart: {{ include "tonearm.chart" . }}
app.kubernetes.io/name: {{ include "tonearm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "tonearm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tonearm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "tonearm.zookeeper.fullname" -}}
{{- printf "%s-zookeeper" (include "tonearm.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tonearm.zookeeper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tonearm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: zookeeper
{{- end -}}

{{- define "tonearm.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "tonearm.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tonearm.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tonearm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: postgresql
{{- end -}}

{{/* "true" when the chart runs its own PostgreSQL. */}}
{{- define "tonearm.postgresql.enabled" -}}
{{- if not (or .Values.database.url .Values.database.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the chart runs its own ZooKeeper ensemble. */}}
{{- define "tonearm.zookeeper.enabled" -}}
{{- if and (not .Values.zookeeper.hosts) .Values.zookeeper.enabled -}}true{{- end -}}
{{- end -}}

{{/* The ZooKeeper connect string Tonearm uses ("" → standalone). */}}
{{- define "tonearm.zookeeper.hosts" -}}
{{- if .Values.zookeeper.hosts -}}
{{- .Values.zookeeper.hosts -}}
{{- else if .Values.zookeeper.enabled -}}
{{- $fullname := include "tonearm.zookeeper.fullname" . -}}
{{- $hosts := list -}}
{{- range $i := until (int .Values.zookeeper.replicas) -}}
{{- $hosts = append $hosts (printf "%s-%d.%s-headless.%s.svc:2181" $fullname $i $fullname $.Release.Namespace) -}}
{{- end -}}
{{- join "," $hosts -}}
{{- end -}}
{{- end -}}

{{- define "tonearm.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret holding the cluster secret, and its key. */}}
{{- define "tonearm.clusterSecret.name" -}}
{{- default (include "tonearm.fullname" .) .Values.clusterSecret.existingSecret -}}
{{- end -}}
{{- define "tonearm.clusterSecret.key" -}}
{{- if .Values.clusterSecret.existingSecret -}}{{ .Values.clusterSecret.existingSecretKey }}{{- else -}}cluster-secret{{- end -}}
{{- end -}}

{{- define "tonearm.database.secretName" -}}
{{- default (include "tonearm.fullname" .) .Values.database.existingSecret -}}
{{- end -}}
{{- define "tonearm.database.secretKey" -}}
{{- if .Values.database.existingSecret -}}{{ .Values.database.existingSecretKey }}{{- else -}}database-url{{- end -}}
{{- end -}}

{{/* Label matchers the alerts use. */}}
{{- define "tonearm.alertSelector" -}}
{{- default (printf "job=%q" (include "tonearm.fullname" .)) .Values.metrics.prometheusRule.selector -}}
{{- end -}}
