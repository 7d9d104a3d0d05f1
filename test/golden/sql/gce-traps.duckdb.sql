WITH
kops_events AS (
  SELECT
    t."kind" AS "kind",
    t."verb" AS "verb",
    COALESCE(t."user"."username", '') AS "username",
    t."user"."groups" AS "user_groups",
    t."objectRef" IS NOT NULL AS "resource_request",
    COALESCE(t."objectRef"."namespace", '') AS "namespace",
    COALESCE(t."objectRef"."apiGroup", '') AS "api_group",
    COALESCE(t."objectRef"."resource", '') AS "resource",
    COALESCE(t."objectRef"."subresource", '') AS "subresource",
    CASE WHEN t."verb" = 'create' AND COALESCE(t."objectRef"."subresource", '') = '' THEN '' ELSE COALESCE(t."objectRef"."name", '') END AS "object_name",
    split_part(COALESCE(t."requestURI", ''), '?', 1) AS "path",
    t."stage" AS "stage"
  FROM "audit_db"."audit_events" AS t
  UNION ALL
  SELECT
    item."kind" AS "kind",
    item."verb" AS "verb",
    COALESCE(item."user"."username", '') AS "username",
    item."user"."groups" AS "user_groups",
    item."objectRef" IS NOT NULL AS "resource_request",
    COALESCE(item."objectRef"."namespace", '') AS "namespace",
    COALESCE(item."objectRef"."apiGroup", '') AS "api_group",
    COALESCE(item."objectRef"."resource", '') AS "resource",
    COALESCE(item."objectRef"."subresource", '') AS "subresource",
    CASE WHEN item."verb" = 'create' AND COALESCE(item."objectRef"."subresource", '') = '' THEN '' ELSE COALESCE(item."objectRef"."name", '') END AS "object_name",
    split_part(COALESCE(item."requestURI", ''), '?', 1) AS "path",
    item."stage" AS "stage"
  FROM "audit_db"."audit_events" AS t, unnest(t.items) AS u(item)
  WHERE t."kind" = 'EventList'
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
    CASE WHEN "subresource" = '' THEN "resource" ELSE concat("resource", '/', "subresource") END AS "combined"
  FROM kops_events
  WHERE ("kind" IS NULL OR "kind" = 'Event') AND "verb" IS NOT NULL AND "verb" <> ''
),
kops_decided AS (
  SELECT
    "stage",
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
  SELECT 0 AS "policy_index", "rule_0" AS "rule_index", "stage", COUNT(*) AS "events"
  FROM kops_decided
  GROUP BY "rule_0", "stage"
  UNION ALL
  SELECT 1 AS "policy_index", "rule_1" AS "rule_index", "stage", COUNT(*) AS "events"
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
SELECT "policy", "rule", "level", "matched", "written"
FROM (
  SELECT
    r."policy_index",
    r."rule_index",
    r."policy",
    CASE WHEN r."rule_index" < 0 THEN NULL ELSE r."rule_index" END AS "rule",
    r."level",
    COALESCE(SUM(s."events"), 0) AS "matched",
    COALESCE(SUM(CASE WHEN r."level" <> 'None' AND NOT COALESCE((s."stage" = 'RequestReceived' AND r."omit_request_received") OR (s."stage" = 'ResponseStarted' AND r."omit_response_started") OR (s."stage" = 'ResponseComplete' AND r."omit_response_complete") OR (s."stage" = 'Panic' AND r."omit_panic"), FALSE) THEN s."events" ELSE 0 END), 0) AS "written"
  FROM kops_rules AS r
  LEFT JOIN kops_tallies AS s ON s."policy_index" = r."policy_index" AND s."rule_index" = r."rule_index"
  GROUP BY r."policy_index", r."rule_index", r."policy", r."level"
) AS x
WHERE "rule_index" >= 0 OR "matched" > 0
ORDER BY "policy_index", CASE WHEN "rule_index" < 0 THEN 1 ELSE 0 END, "rule_index"
