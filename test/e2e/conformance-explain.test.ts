import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CONFORMANCE_DIR, conformanceMissing } from '../helpers/paths.js';

/**
 * Real kube-apiserver audit events (Falco's recorded k8s_audit traces, mostly v1beta1-shaped and
 * without apiVersion; see ../shared/conformance/audit-events/SOURCE.md) explained under our templates.
 * The expected counts come from a hand check of INDEX.md against templates/gce.yaml:
 * - rule 13 (Metadata): every secrets/configmaps event: create_configmap (1),
 *   create_configmap_no_sensitive_values (1), create_configmap_sensitive_values (6),
 *   create_kube_system_secret, create_secret, create_service_account_token_secret, delete_configmap,
 *   delete_secret (1 each) = 13;
 * - rule 14 (Request): the one read, system:node:minikube getting a pod (rule 3 is nodes only) = 1;
 * - rule 15 (RequestResponse): every other event is a write to a built-in group (core, rbac,
 *   extensions), including create pods/exec and pods/attach = 51 - 14 = 37;
 * - none reaches the None rules (no kube-proxy, kubelet, health or core-Event traffic) or rule 16.
 */

const RELATIVE = 'audit-events/falco-k8s-audit';
const missing = conformanceMissing(RELATIVE);
const dir = path.join(CONFORMANCE_DIR, RELATIVE);

function readEvents(): { input: string; count: number; files: string[] } {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const lines = files.flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => ({ file: f, line: l })),
  );
  return {
    input: `${lines.map((l) => l.line).join('\n')}\n`,
    count: lines.length,
    files: lines.map((l) => l.file),
  };
}

function countBy<T>(values: readonly T[], key: (v: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[key(v)] = (counts[key(v)] ?? 0) + 1;
  return counts;
}

interface Line {
  level: string;
  rule: number | null;
}

describe.skipIf(missing !== undefined)('explain --events on recorded kube-apiserver events', () => {
  it('gce: 13 Metadata (rule 13), 1 Request (rule 14), 37 RequestResponse (rule 15)', async () => {
    const { input, count, files } = readEvents();
    expect(count).toBe(51);
    const result = await runCli(['explain', '--policy', 'gce', '--events', '-', '-o', 'json'], { input });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const out = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out).toHaveLength(count);
    expect(countBy(out, (l) => l.level)).toEqual({ Metadata: 13, Request: 1, RequestResponse: 37 });
    expect(countBy(out, (l) => String(l.rule))).toEqual({ '13': 13, '14': 1, '15': 37 });

    // Spot checks, in input order, of events whose answer needs a specific rule of checker.go.
    const at = (file: string) => out[files.indexOf(file)]!;
    expect(at('create_nginx_pod_unsensitive_mount.json')).toMatchObject({ level: 'Request', rule: 14 });
    expect(at('exec_pod.json')).toMatchObject({ level: 'RequestResponse', rule: 15 });
    expect(at('create_service_account_token_secret.json')).toMatchObject({ level: 'Metadata', rule: 13 });
    expect(at('delete_namespace_foo.json')).toMatchObject({ level: 'RequestResponse', rule: 15 });
  });

  it('basic: all 51 at Metadata by its only rule', async () => {
    const { input, count } = readEvents();
    const result = await runCli(['explain', '--policy', 'basic', '--events', '-', '-o', 'json'], { input });
    expect(result.code).toBe(0);
    const out = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(out).toHaveLength(count);
    expect(countBy(out, (l) => `${l.level}/${l.rule}`)).toEqual({ 'Metadata/0': 51 });
  });
});
