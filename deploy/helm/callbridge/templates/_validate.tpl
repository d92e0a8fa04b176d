{{/*
Rules across values that a wrong install would otherwise only show at run time (or never):
rendering fails with a message naming the values. templates/validate.yaml calls it.
*/}}
{{- define "callbridge.validate" -}}
{{- $v := .Values }}
{{- $partitions := int $v.kafka.callRequestsPartitions }}
{{- if not $v.kafka.brokers }}
{{- fail "kafka.brokers is required: the brokers' host:port, comma-separated" }}
{{- end }}
{{- if lt $partitions 1 }}
{{- fail "kafka.callRequestsPartitions must be at least 1: the partition count of kafka.callRequestsTopic" }}
{{- end }}

{{- /* The worker: replicas beyond the topic's partitions get no partition and sit idle. */}}
{{- if $v.worker.autoscaling.enabled }}
{{- $auto := $v.worker.autoscaling }}
{{- if gt (int $auto.maxReplicas) $partitions }}
{{- fail (printf "worker.autoscaling.maxReplicas (%d) is above kafka.callRequestsPartitions (%d): a worker replica beyond the partition count of %s gets no partition and sits idle. Lower maxReplicas, or add partitions to the topic first and then raise kafka.callRequestsPartitions." (int $auto.maxReplicas) $partitions $v.kafka.callRequestsTopic) }}
{{- end }}
{{- if lt (int $auto.minReplicas) 1 }}
{{- fail "worker.autoscaling.minReplicas must be at least 1: the deferral tiers and parked requests need a running worker, and the CallbridgeAppTargetMissing alert fires at zero" }}
{{- end }}
{{- if gt (int $auto.minReplicas) (int $auto.maxReplicas) }}
{{- fail (printf "worker.autoscaling.minReplicas (%d) is above worker.autoscaling.maxReplicas (%d)" (int $auto.minReplicas) (int $auto.maxReplicas)) }}
{{- end }}
{{- else if gt (int $v.worker.replicaCount) $partitions }}
{{- fail (printf "worker.replicaCount (%d) is above kafka.callRequestsPartitions (%d): a worker replica beyond the partition count of %s gets no partition and sits idle" (int $v.worker.replicaCount) $partitions $v.kafka.callRequestsTopic) }}
{{- end }}
{{- $workerMax := ternary (int $v.worker.autoscaling.maxReplicas) (int $v.worker.replicaCount) (eq $v.worker.autoscaling.enabled true) }}
{{- if and (gt $workerMax 1) (not (include "callbridge.redisConfigured" .)) }}
{{- fail (printf "the worker may run %d replicas but Redis is not configured (redis.url or redis.existingSecret): without Redis each replica has its own ledger and rate limiter, so replicas would call people twice and exceed the API's limits" $workerMax) }}
{{- end }}

{{- if $v.ingest.autoscaling.enabled }}
{{- if gt (int $v.ingest.autoscaling.minReplicas) (int $v.ingest.autoscaling.maxReplicas) }}
{{- fail (printf "ingest.autoscaling.minReplicas (%d) is above ingest.autoscaling.maxReplicas (%d)" (int $v.ingest.autoscaling.minReplicas) (int $v.ingest.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}

{{- /* Secrets come from Secrets. */}}
{{- if and $v.redis.url (contains "@" $v.redis.url) }}
{{- fail "redis.url carries credentials (it has an @): put the whole URL in a Secret and name it in redis.existingSecret instead" }}
{{- end }}
{{- if not $v.worker.talkover.tokenSecret.name }}
{{- fail "worker.talkover.tokenSecret.name is required: the Secret holding TALKOVER_API_TOKEN (kubectl create secret generic callbridge-talkover --from-literal=TALKOVER_API_TOKEN=talq_...)" }}
{{- end }}
{{- $managed := dict
  "ingest" (list "PORT" "METRICS_PORT" "HOST" "LOG_LEVEL" "KAFKA_BROKERS" "REDIS_URL" "ROUTES_FILE" "PUBLIC_BASE_URL" "CALL_REQUESTS_TOPIC" "SHUTDOWN_TIMEOUT_MS")
  "worker" (list "PORT" "HOST" "LOG_LEVEL" "KAFKA_BROKERS" "KAFKA_GROUP_ID" "REDIS_URL" "CALL_REQUESTS_TOPIC" "TALKOVER_BASE_URL" "TALKOVER_API_TOKEN" "RECIPIENT_POLICY_FILE" "SHUTDOWN_TIMEOUT_MS") }}
{{- range $app := list "ingest" "worker" }}
{{- range $name, $_ := (get $v $app).env }}
{{- if regexMatch "(?i)(SECRET|PASSWORD|TOKEN|CREDENTIAL|PRIVATE_KEY)" $name }}
{{- fail (printf "%s.env.%s looks like a secret: values files are not the place for secrets. Put it in a Secret (for the ingest, the one named by ingest.routeSecrets.existingSecret; see docs/kubernetes.md)" $app $name) }}
{{- end }}
{{- if has $name (get $managed $app) }}
{{- fail (printf "%s.env.%s is set by the chart from its own value (see values.yaml); set that value instead" $app $name) }}
{{- end }}
{{- end }}
{{- end }}

{{- if and $v.ingest.routes.requireOwn (not (or $v.ingest.routes.content $v.ingest.routes.existingConfigMap)) }}
{{- fail "ingest.routes.requireOwn is true: give your routes file (--set-file ingest.routes.content=routes.yaml) or a ConfigMap holding it (ingest.routes.existingConfigMap); the example routes file's secrets fall back to public development values" }}
{{- end }}
{{- end }}
