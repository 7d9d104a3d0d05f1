WITH
kops_lines AS (
  SELECT json AS line FROM read_ndjson_objects('logs/*.log.gz', ignore_errors = true, maximum_object_size = 67108864)
),
kops_parsed AS (
  SELECT line AS doc, json_extract(line, ['$.kind', '$.verb', '$.user', '$.user.username', '$.user.groups', '$.objectRef', '$.objectRef.namespace', '$.objectRef.apiGroup', '$.objectRef.resource', '$.objectRef.subresource', '$.objectRef.name', '$.requestURI', '$.stage', '$.level', '$.requestObject', '$.responseObject', '$.items']) AS f FROM kops_lines WHERE line IS NOT NULL
),
kops_fields AS (
  SELECT
    CASE WHEN item IS NULL THEN doc ELSE item END AS doc,
    CASE WHEN item IS NULL THEN f ELSE json_extract(item, ['$.kind', '$.verb', '$.user', '$.user.username', '$.user.groups', '$.objectRef', '$.objectRef.namespace', '$.objectRef.apiGroup', '$.objectRef.resource', '$.objectRef.subresource', '$.objectRef.name', '$.requestURI', '$.stage', '$.level', '$.requestObject', '$.responseObject', '$.items']) END AS f
  FROM (
    SELECT doc, f, unnest(CASE WHEN json_type(f[1]) = 'VARCHAR' AND json_extract_string(f[1], '$') = 'EventList' AND json_type(f[17]) = 'ARRAY' THEN json_extract(f[17], '$[*]') ELSE [NULL::JSON] END) AS item
    FROM kops_parsed
  ) AS docs
),
kops_typed AS (
  SELECT
    CASE WHEN f[1] IS NULL THEN NULL WHEN json_type(f[1]) = 'VARCHAR' THEN json_extract_string(f[1], '$') ELSE '' END AS "kind",
    CASE WHEN json_type(f[2]) = 'VARCHAR' THEN json_extract_string(f[2], '$') END AS "verb",
    CASE WHEN json_type(f[12]) = 'VARCHAR' THEN json_extract_string(f[12], '$') END AS "requestURI",
    CASE WHEN json_type(f[13]) = 'VARCHAR' THEN json_extract_string(f[13], '$') END AS "stage",
    CASE WHEN json_type(f[3]) = 'OBJECT' THEN CASE WHEN json_type(f[4]) = 'VARCHAR' THEN json_extract_string(f[4], '$') END END AS "username",
    CASE WHEN json_type(f[3]) = 'OBJECT' AND json_type(f[5]) = 'ARRAY' THEN list_transform(list_filter(json_extract(f[5], '$[*]'), lambda g: json_type(g) = 'VARCHAR'), lambda g: json_extract_string(g, '$')) END AS "groups",
    COALESCE(json_type(f[6]) = 'OBJECT', false) AS "objectRef",
    CASE WHEN json_type(f[6]) = 'OBJECT' THEN CASE WHEN json_type(f[7]) = 'VARCHAR' THEN json_extract_string(f[7], '$') END END AS "namespace",
    CASE WHEN json_type(f[6]) = 'OBJECT' THEN CASE WHEN json_type(f[8]) = 'VARCHAR' THEN json_extract_string(f[8], '$') END END AS "apiGroup",
    CASE WHEN json_type(f[6]) = 'OBJECT' THEN CASE WHEN json_type(f[9]) = 'VARCHAR' THEN json_extract_string(f[9], '$') END END AS "resource",
    CASE WHEN json_type(f[6]) = 'OBJECT' THEN CASE WHEN json_type(f[10]) = 'VARCHAR' THEN json_extract_string(f[10], '$') END END AS "subresource",
    CASE WHEN json_type(f[6]) = 'OBJECT' THEN CASE WHEN json_type(f[11]) = 'VARCHAR' THEN json_extract_string(f[11], '$') END END AS "name",
    strlen(doc) AS "event_bytes",
    length(CASE WHEN json_type(f[14]) = 'VARCHAR' THEN json_extract_string(f[14], '$') END) AS "level_chars",
    CASE WHEN f[15] IS NULL THEN 0 ELSE 17 + strlen(f[15]) END AS "request_bytes",
    CASE WHEN f[16] IS NULL THEN 0 ELSE 18 + strlen(f[16]) END AS "response_bytes"
  FROM kops_fields
),
kops_events AS (
  SELECT
    "kind" AS "kind",
    "verb" AS "verb",
    COALESCE("username", '') AS "username",
    "groups" AS "user_groups",
    "objectRef" AS "resource_request",
    COALESCE("namespace", '') AS "namespace",
    COALESCE("apiGroup", '') AS "api_group",
    COALESCE("resource", '') AS "resource",
    COALESCE("subresource", '') AS "subresource",
    CASE WHEN "verb" = 'create' AND COALESCE("subresource", '') = '' THEN '' ELSE COALESCE("name", '') END AS "object_name",
    split_part(COALESCE("requestURI", ''), '?', 1) AS "path",
    "stage" AS "stage",
    "event_bytes" AS "event_bytes",
    "level_chars" AS "level_chars",
    "request_bytes" AS "request_bytes",
    "response_bytes" AS "response_bytes"
  FROM kops_typed
),
kops_requests AS (
  SELECT
    "verb",
    "username",
    "user_groups",
    "resource_request",
    "namespace",
    "api_group",
    "resource",
    "subresource",
    "object_name",
    "path",
    "stage",
    "event_bytes",
    "level_chars",
    "request_bytes",
    "response_bytes",
    CASE WHEN "subresource" = '' THEN "resource" ELSE concat("resource", '/', "subresource") END AS "combined"
  FROM kops_events
  WHERE ("kind" IS NULL OR "kind" = 'Event') AND "verb" IS NOT NULL AND "verb" <> ''
),
kops_decided AS (
  SELECT
    "stage",
    "event_bytes",
    "level_chars",
    "request_bytes",
    "response_bytes",
    CASE
      WHEN "username" IN ('system:kube-proxy') AND "verb" IN ('watch') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('endpoints', 'services', 'services/status')) THEN 0 -- rules[0] None
      WHEN "username" IN ('system:unsecured') AND "verb" IN ('get') AND "resource_request" AND "namespace" IN ('kube-system') AND ("api_group" = '' AND "combined" IN ('configmaps')) THEN 1 -- rules[1] None
      WHEN "username" IN ('kubelet') AND "verb" IN ('get') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('nodes', 'nodes/status')) THEN 2 -- rules[2] None
      WHEN list_has_any("user_groups", ['system:nodes']) AND "verb" IN ('get') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('nodes', 'nodes/status')) THEN 3 -- rules[3] None
      WHEN "username" IN ('system:kube-controller-manager', 'system:cloud-controller-manager', 'system:kube-scheduler', 'system:serviceaccount:kube-system:endpoint-controller') AND "verb" IN ('get', 'update') AND "resource_request" AND "namespace" IN ('kube-system') AND ("api_group" = '' AND "combined" IN ('endpoints')) THEN 4 -- rules[4] None
      WHEN "username" IN ('system:apiserver') AND "verb" IN ('get') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('namespaces', 'namespaces/status', 'namespaces/finalize')) THEN 5 -- rules[5] None
      WHEN "username" IN ('cluster-autoscaler') AND "verb" IN ('get', 'update') AND "resource_request" AND "namespace" IN ('kube-system') AND ("api_group" = '' AND "combined" IN ('configmaps', 'endpoints')) THEN 6 -- rules[6] None
      WHEN "username" IN ('system:kube-controller-manager', 'system:cloud-controller-manager') AND "verb" IN ('get', 'list') AND "resource_request" AND "api_group" = 'metrics.k8s.io' THEN 7 -- rules[7] None
      WHEN NOT "resource_request" AND ("path" IN ('/version') OR "path" LIKE '/healthz%' ESCAPE '\' OR "path" LIKE '/swagger%' ESCAPE '\') THEN 8 -- rules[8] None
      WHEN "resource_request" AND ("api_group" = '' AND "combined" IN ('events')) THEN 9 -- rules[9] None
      WHEN "username" IN ('kubelet', 'system:node-problem-detector', 'system:serviceaccount:kube-system:node-problem-detector') AND "verb" IN ('update', 'patch') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('nodes/status', 'pods/status')) THEN 10 -- rules[10] Request
      WHEN list_has_any("user_groups", ['system:nodes']) AND "verb" IN ('update', 'patch') AND "resource_request" AND ("api_group" = '' AND "combined" IN ('nodes/status', 'pods/status')) THEN 11 -- rules[11] Request
      WHEN "username" IN ('system:serviceaccount:kube-system:namespace-controller') AND "verb" IN ('deletecollection') THEN 12 -- rules[12] Request
      WHEN "resource_request" AND (("api_group" = '' AND "combined" IN ('secrets', 'configmaps', 'serviceaccounts/token')) OR ("api_group" = 'authentication.k8s.io' AND "combined" IN ('tokenreviews'))) THEN 13 -- rules[13] Metadata
      WHEN "verb" IN ('get', 'list', 'watch') AND "resource_request" AND "api_group" IN ('', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'extensions', 'metrics.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io') THEN 14 -- rules[14] Request
      WHEN "resource_request" AND "api_group" IN ('', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'extensions', 'metrics.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io') THEN 15 -- rules[15] RequestResponse
      WHEN TRUE THEN 16 -- rules[16] Metadata
      ELSE -1
    END AS "rule_0",
    CASE
      WHEN "username" IN ('*') THEN 0 -- rules[0] None
      WHEN "username" IN ('o''brien\''); DROP TABLE x; --') THEN 1 -- rules[1] Metadata
      WHEN list_has_any("user_groups", ['team-a', 'team-b']) THEN 2 -- rules[2] Request
      WHEN NOT "resource_request" AND ("path" IN ('/exact') OR "path" LIKE '/pre\_fix%' ESCAPE '\' OR "path" LIKE '/100\%%' ESCAPE '\') THEN 3 -- rules[3] Metadata
      WHEN "resource_request" AND ("api_group" = 'apps' AND ("combined" IN ('*/scale') OR ("subresource" <> '' AND "subresource" IN ('scale')))) THEN 4 -- rules[4] Request
      WHEN "resource_request" AND ("api_group" = '' AND ("combined" IN ('pods/*') OR "resource" IN ('pods'))) THEN 5 -- rules[5] RequestResponse
      WHEN "resource_request" AND ("api_group" = '' AND "object_name" IN ('cm-1') AND "combined" IN ('configmaps')) THEN 6 -- rules[6] Metadata
      WHEN "resource_request" AND ("api_group" = 'coordination.k8s.io' AND "combined" IN ('leases/renew', 'secrets')) THEN 7 -- rules[7] Request
      WHEN "resource_request" AND "namespace" IN ('') THEN 8 -- rules[8] Request
      WHEN "verb" IN ('watch') AND "resource_request" THEN 9 -- rules[9] Metadata
      WHEN "username" IN ('both-kinds') THEN 10 -- rules[10] RequestResponse
      WHEN "resource_request" AND ("api_group" = 'batch' OR ("api_group" = '' AND "object_name" IN ('only-this'))) THEN 11 -- rules[11] Metadata
      WHEN NOT "resource_request" THEN 12 -- rules[12] Request
      ELSE -1
    END AS "rule_1"
  FROM kops_requests
),
kops_tallies AS (
  SELECT 0 AS "policy_index", "rule_0" AS "rule_index", "stage", COUNT(*) AS "events",
    SUM("event_bytes") AS "event_bytes",
    SUM("level_chars") AS "level_chars",
    COUNT("level_chars") AS "with_level",
    SUM("request_bytes") AS "request_bytes",
    SUM("response_bytes") AS "response_bytes"
  FROM kops_decided
  GROUP BY "rule_0", "stage"
  UNION ALL
  SELECT 1 AS "policy_index", "rule_1" AS "rule_index", "stage", COUNT(*) AS "events",
    SUM("event_bytes") AS "event_bytes",
    SUM("level_chars") AS "level_chars",
    COUNT("level_chars") AS "with_level",
    SUM("request_bytes") AS "request_bytes",
    SUM("response_bytes") AS "response_bytes"
  FROM kops_decided
  GROUP BY "rule_1", "stage"
),
kops_rules AS (
  SELECT 0 AS "policy_index", 'gce' AS "policy", 0 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 1 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 2 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 3 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 4 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 5 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 6 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 7 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 8 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 9 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 10 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 11 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 12 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 13 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 14 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 15 AS "rule_index", 'RequestResponse' AS "level", 15 AS "level_length", 3 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", 16 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 0 AS "policy_index", 'gce' AS "policy", -1 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", FALSE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 0 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 1 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", TRUE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 2 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", TRUE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 3 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 4 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 5 AS "rule_index", 'RequestResponse' AS "level", 15 AS "level_length", 3 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 6 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", FALSE AS "omit_request_received", TRUE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 7 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 8 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 9 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 10 AS "rule_index", 'RequestResponse' AS "level", 15 AS "level_length", 3 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 11 AS "rule_index", 'Metadata' AS "level", 8 AS "level_length", 1 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", 12 AS "rule_index", 'Request' AS "level", 7 AS "level_length", 2 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
  UNION ALL
  SELECT 1 AS "policy_index", 'test/fixtures/policy/sql-traps.yaml' AS "policy", -1 AS "rule_index", 'None' AS "level", 4 AS "level_length", 0 AS "level_rank", FALSE AS "omit_request_received", FALSE AS "omit_response_started", FALSE AS "omit_response_complete", TRUE AS "omit_panic"
)
SELECT "policy", "rule", "level", "matched", "written", "bytes"
FROM (
  SELECT
    r."policy_index",
    r."rule_index",
    r."policy",
    CASE WHEN r."rule_index" < 0 THEN NULL ELSE r."rule_index" END AS "rule",
    r."level",
    COALESCE(SUM(s."events"), 0) AS "matched",
    COALESCE(SUM(CASE WHEN r."level" <> 'None' AND NOT COALESCE((s."stage" = 'RequestReceived' AND r."omit_request_received") OR (s."stage" = 'ResponseStarted' AND r."omit_response_started") OR (s."stage" = 'ResponseComplete' AND r."omit_response_complete") OR (s."stage" = 'Panic' AND r."omit_panic"), FALSE) THEN s."events" ELSE 0 END), 0) AS "written",
    COALESCE(SUM(CASE WHEN r."level" <> 'None' AND NOT COALESCE((s."stage" = 'RequestReceived' AND r."omit_request_received") OR (s."stage" = 'ResponseStarted' AND r."omit_response_started") OR (s."stage" = 'ResponseComplete' AND r."omit_response_complete") OR (s."stage" = 'Panic' AND r."omit_panic"), FALSE) THEN s."event_bytes" + s."events" + r."level_length" * s."with_level" - s."level_chars" - CASE WHEN r."level_rank" < 2 THEN s."request_bytes" ELSE 0 END - CASE WHEN r."level_rank" < 3 THEN s."response_bytes" ELSE 0 END ELSE 0 END), 0) AS "bytes"
  FROM kops_rules AS r
  LEFT JOIN kops_tallies AS s ON s."policy_index" = r."policy_index" AND s."rule_index" = r."rule_index"
  GROUP BY r."policy_index", r."rule_index", r."policy", r."level"
) AS x
WHERE "rule_index" >= 0 OR "matched" > 0
ORDER BY "policy_index", CASE WHEN "rule_index" < 0 THEN 1 ELSE 0 END, "rule_index"
