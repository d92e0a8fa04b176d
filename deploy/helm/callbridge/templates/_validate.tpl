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

{{- $ingestMax := ternary (int $v.ingest.autoscaling.maxReplicas) (int $v.ingest.replicaCount) (eq $v.ingest.autoscaling.enabled true) }}
{{- if and (gt $ingestMax 1) (not (include "callbridge.redisConfigured" .)) }}
{{- fail (printf "the ingest may run %d replicas but Redis is not configured (redis.url or redis.existingSecret): without Redis each replica remembers only the events it delivered itself, so a CRM's retry that reaches another replica is written twice" $ingestMax) }}
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
{{- if regexMatch "(?i)(SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|SIGNING_KEY|DSN)" $name }}
{{- fail (printf "%s.env.%s looks like a secret: values files are not the place for secrets. %s (see docs/kubernetes.md#secrets)" $app $name (ternary "Put it in the Secret named by ingest.routeSecrets.existingSecret: its keys become the ingest's env" "The worker's only secrets are the Talkover token (worker.talkover.tokenSecret) and REDIS_URL (redis.existingSecret)" (eq $app "ingest"))) }}
{{- end }}
{{- if has $name (get $managed $app) }}
{{- fail (printf "%s.env.%s is set by the chart (from kafka.*, redis.*, %s.* or fixed by the image; see values.yaml): it cannot be overridden here" $app $name $app) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* Both apps must name the same dead-letter topic: the ingest writes unusable events there, the worker its letters. */}}
{{- if ne (toString (default "" $v.ingest.env.DLQ_TOPIC)) (toString (default "" $v.worker.env.DLQ_TOPIC)) }}
{{- fail "ingest.env.DLQ_TOPIC and worker.env.DLQ_TOPIC differ: both apps write dead letters, and `callbridge dlq` reads one topic; set it on both alike, or on neither" }}
{{- end }}

{{- /* The routes file: its secrets are ${VAR} references to the routes Secret, never the values. */}}
{{- with $v.ingest.routes.content }}
{{- $routes := fromYaml . }}
{{- range $id, $source := (default dict (get $routes "sources")) }}
{{- range $key, $value := (default dict $source) }}
{{- if and (regexMatch "(?i)(secret|password|token|key)" $key) (kindIs "string" $value) (not (contains "${" $value)) }}
{{- fail (printf "ingest.routes.content: sources.%s.%s is written in the file: a ConfigMap is not the place for a secret. Write ${SOME_NAME} there and put SOME_NAME in the Secret named by ingest.routeSecrets.existingSecret (docs/kubernetes.md#secrets)" $id $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (get $routes "opt_outs") (not (include "callbridge.redisConfigured" $)) }}
{{- fail "ingest.routes.content has opt_outs, which write the do-not-call list in Redis, but Redis is not configured (redis.url or redis.existingSecret): the ingest would refuse to start" }}
{{- end }}
{{- end }}

{{- if and $v.ingest.routes.requireOwn (not (or $v.ingest.routes.content $v.ingest.routes.existingConfigMap)) }}
{{- fail "ingest.routes.requireOwn is true: give your routes file (--set-file ingest.routes.content=routes.yaml) or a ConfigMap holding it (ingest.routes.existingConfigMap); the example routes file's secrets fall back to public development values" }}
{{- end }}
{{- end }}
