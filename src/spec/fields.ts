/**
 * The audit fields of kops' KubeAPIServerConfig (spec.kubeAPIServer), with their YAML types, and the
 * detection of misspelt ones: kops' schema has no additionalProperties:false, so `auditLogMaxage` is
 * accepted and then ignored (../shared/research/kops.md §1, ecosystem.md §ajv).
 */

import { editDistance } from '../text-distance.js';

export type AuditFieldType = 'string' | 'int32' | 'duration' | 'bool' | 'quantity';

/** Every audit field kops knows, unchanged since kops 1.18. */
export const AUDIT_FIELDS = {
  auditDynamicConfiguration: 'bool',
  auditLogFormat: 'string',
  auditLogMaxAge: 'int32',
  auditLogMaxBackups: 'int32',
  auditLogMaxSize: 'int32',
  auditLogPath: 'string',
  auditPolicyFile: 'string',
  auditWebhookBatchBufferSize: 'int32',
  auditWebhookBatchMaxSize: 'int32',
  auditWebhookBatchMaxWait: 'duration',
  auditWebhookBatchThrottleBurst: 'int32',
  auditWebhookBatchThrottleEnable: 'bool',
  auditWebhookBatchThrottleQps: 'quantity',
  auditWebhookConfigFile: 'string',
  auditWebhookInitialBackoff: 'duration',
  auditWebhookMode: 'string',
} as const satisfies Record<string, AuditFieldType>;

export type AuditField = keyof typeof AUDIT_FIELDS;

/** What kops can decode into an int32 field: a whole number in its range (Go's encoding/json refuses the rest). */
export function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
}
export const AUDIT_FIELD_NAMES = Object.keys(AUDIT_FIELDS) as AuditField[];

export function isAuditField(key: string): key is AuditField {
  return Object.hasOwn(AUDIT_FIELDS, key);
}

/**
 * The audit field a key in spec.kubeAPIServer was probably meant to be, or undefined when the key is
 * a real field or unrelated. Catches case slips (`auditLogMaxage`), small typos (`auditLogMaxBackup`)
 * and anything else starting with "audit" that kops does not know.
 */
export function misspeltAuditField(key: string): { meant: AuditField | undefined } | undefined {
  if (isAuditField(key)) return undefined;
  const lower = key.toLowerCase();
  // Only keys that look like audit fields at all (most kubeAPIServer keys do not).
  if (!lower.startsWith('aud') && !lower.includes('audit')) return undefined;
  let best: AuditField | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const field of AUDIT_FIELD_NAMES) {
    if (Math.abs(field.length - key.length) > 2) continue;
    const d = field.toLowerCase() === lower ? 0 : editDistance(lower, field.toLowerCase());
    if (d < bestDistance) {
      best = field;
      bestDistance = d;
    }
  }
  if (bestDistance <= 2) return { meant: best };
  if (lower.startsWith('audit')) return { meant: undefined };
  return undefined;
}
