/**
 * The part of a kube-apiserver audit Event (audit.k8s.io/v1, and the older v1beta1 shape) that policy
 * evaluation and the size model read, plus the byte sizes of the parts a policy can drop. Field names
 * follow k8s.io/apiserver/pkg/apis/audit/v1/types.go; every field is optional because real logs
 * (and older versions) omit empty ones.
 */

export interface AuditUser {
  username?: string;
  groups?: readonly string[];
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  /** Absent for the core group. */
  apiGroup?: string;
  subresource?: string;
}

export interface AuditEventFields {
  kind?: string;
  level?: string;
  stage?: string;
  verb?: string;
  requestURI?: string;
  user?: AuditUser;
  objectRef?: AuditObjectRef;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/**
 * Bytes of one event as the log backend writes it (compact JSON, without the newline), and how many
 * of them each policy choice removes: a body key with its value and comma, and the
 * `metadata.managedFields` of the object (or of each list item / table row) inside a body.
 */
export interface EventSizes {
  total: number;
  requestObject: number;
  responseObject: number;
  requestManagedFields: number;
  responseManagedFields: number;
}

/** One event read from a log: its fields, its sizes, and the 1-based line it came from. */
export interface AuditRecord {
  event: AuditEventFields;
  sizes: EventSizes;
  line: number;
}

const TOP_STRINGS = [
  'kind',
  'level',
  'stage',
  'verb',
  'requestURI',
  'requestReceivedTimestamp',
  'stageTimestamp',
] as const;
const OBJECT_REF_STRINGS = ['resource', 'namespace', 'name', 'apiGroup', 'subresource'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The fields of a parsed event, keeping only values of the documented type (a number where a string
 * belongs is treated as absent; non-string group names are ignored). The fast scanner in
 * scan-event.ts must give exactly this for every line it accepts.
 */
export function fieldsFromParsed(parsed: Record<string, unknown>): AuditEventFields {
  const event: AuditEventFields = {};
  for (const key of TOP_STRINGS) {
    const value = parsed[key];
    if (typeof value === 'string') event[key] = value;
  }
  const user = parsed.user;
  if (isRecord(user)) {
    const out: AuditUser = {};
    if (typeof user.username === 'string') out.username = user.username;
    if (Array.isArray(user.groups))
      out.groups = user.groups.filter((g): g is string => typeof g === 'string');
    event.user = out;
  }
  const ref = parsed.objectRef;
  if (isRecord(ref)) {
    const out: AuditObjectRef = {};
    for (const key of OBJECT_REF_STRINGS) {
      const value = ref[key];
      if (typeof value === 'string') out[key] = value;
    }
    event.objectRef = out;
  }
  return event;
}

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `"key":value` re-encoded compactly, as kube-apiserver's JSON encoder writes it. */
function memberBytes(key: string, value: unknown): number {
  return utf8Length(JSON.stringify(key)) + 1 + utf8Length(JSON.stringify(value) ?? 'null');
}

/** Bytes that dropping `metadata.managedFields` removes from one object (with its separating comma). */
function managedFieldsBytes(object: unknown): number {
  if (!isRecord(object)) return 0;
  const metadata = object.metadata;
  if (!isRecord(metadata) || !Object.hasOwn(metadata, 'managedFields')) return 0;
  const comma = Object.keys(metadata).length > 1 ? 1 : 0;
  return memberBytes('managedFields', metadata.managedFields) + comma;
}

/**
 * managedFields in a body, as copyWithoutManagedFields (k8s.io/apiserver/pkg/audit/request.go)
 * strips them: the object's own, each list item's, and each Table row object's.
 */
function bodyManagedFieldsBytes(body: unknown): number {
  if (!isRecord(body)) return 0;
  let bytes = managedFieldsBytes(body);
  if (Array.isArray(body.items)) for (const item of body.items) bytes += managedFieldsBytes(item);
  if (Array.isArray(body.rows)) {
    for (const row of body.rows) if (isRecord(row)) bytes += managedFieldsBytes(row.object);
  }
  return bytes;
}

/**
 * Sizes of a parsed event re-encoded compactly. Used for lines the fast scanner does not take (extra
 * whitespace, control characters); kube-apiserver writes compact JSON, so this is its size in a log.
 */
export function sizesFromParsed(parsed: Record<string, unknown>): EventSizes {
  const total = utf8Length(JSON.stringify(parsed));
  const members = Object.keys(parsed).length;
  const bodyBytes = (key: string): number =>
    Object.hasOwn(parsed, key) ? memberBytes(key, parsed[key]) + (members > 1 ? 1 : 0) : 0;
  return {
    total,
    requestObject: bodyBytes('requestObject'),
    responseObject: bodyBytes('responseObject'),
    requestManagedFields: bodyManagedFieldsBytes(parsed.requestObject),
    responseManagedFields: bodyManagedFieldsBytes(parsed.responseObject),
  };
}
