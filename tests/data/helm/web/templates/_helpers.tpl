{{/* Partials are never output on their own. */}}
{{- define "web.name" -}}web{{- end -}}
