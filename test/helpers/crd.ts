import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { CONFORMANCE_DIR } from './paths.js';

type Schema = Record<string, unknown>;

/**
 * Close every object schema that lists its properties (and does not preserve unknown fields), so that
 * a misspelt field fails validation. kops' CRD leaves objects open, which is why `auditLogMaxage`
 * passes `kops replace` and is then ignored (shared/research/ecosystem.md §ajv).
 */
function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item);
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Schema;
  if (s.properties && !s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties === undefined) {
    s.additionalProperties = false;
  }
  for (const value of Object.values(s)) closeObjects(value);
}

/** A validator for kops.k8s.io/v1alpha2 Cluster objects from the kops CRD in ../shared. */
export function clusterValidator(): (cluster: unknown) => string[] {
  const crd = parse(readFileSync(path.join(CONFORMANCE_DIR, 'kops/crd-clusters.yaml'), 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const schema = crd.spec.versions.find((v) => v.name === 'v1alpha2')!.schema.openAPIV3Schema;
  closeObjects(schema);
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  // ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the module.
  const addFormats = (formatsModule as unknown as { default: (a: Ajv) => void }).default;
  addFormats(ajv);
  for (const keyword of [
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-type',
    'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-map-keys',
  ]) {
    ajv.addKeyword(keyword);
  }
  const validate = ajv.compile(schema);
  return (cluster) => {
    if (validate(cluster)) return [];
    return (validate.errors ?? []).map(
      (e: { instancePath: string; message?: string; params: unknown }) =>
        `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  };
}
