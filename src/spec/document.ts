/**
 * Find the kops Cluster in a single- or multi-document spec, as `kops get all -o yaml` prints it or
 * as teams keep it in git. Parsing is YAML 1.1, as kops (go-yaml v2) reads it, so `0755` stays octal
 * and `yes` a boolean.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { SpecError } from '../errors.js';
import { lineNumberOf, lineStartAfter } from './text.js';

/** apiVersions under which kops reads a Cluster (the legacy group is rewritten by `kops replace`). */
export const CLUSTER_API_VERSIONS = [
  'kops.k8s.io/v1alpha2',
  'kops/v1alpha2',
  'kops.k8s.io/v1alpha3',
] as const;

export const PARSE_OPTIONS = { version: '1.1', keepSourceTokens: false } as const;

export interface ClusterDocument {
  /** Index of the Cluster among the documents of the file. */
  index: number;
  doc: Document.Parsed;
  apiVersion: string;
  name: string;
  /** `spec` of the Cluster (always a block or flow mapping; checked). */
  spec: YAMLMap;
  /**
   * Where the Cluster document's text ends: after its last line's line break. (The parser's range
   * stops before that line break when the document ends in an empty value, such as `kubeAPIServer:`.)
   */
  end: number;
}

export interface ParsedSpec {
  /** The text that was parsed. */
  text: string;
  /** The name of the file, or `-` for stdin, used in messages. */
  source: string;
  docs: Document.Parsed[];
  cluster: ClusterDocument;
  /** `spec.role` of every InstanceGroup in the file, as written (`Master`, `APIServer`, ...). */
  instanceGroupRoles: string[];
  /** Every InstanceGroup in the file with a role: its name, role and machine image as written. */
  instanceGroups: InstanceGroupInfo[];
}

export interface InstanceGroupInfo {
  name: string;
  role: string;
  /** `spec.image`, absent when kops picks the image. */
  image?: string;
  /** Its own `spec.fileAssets` (nodeup writes them before the Cluster's): path, and plain content. */
  fileAssets?: { path: string; content?: string }[];
}

function kindOf(doc: Document.Parsed): { kind?: string; apiVersion?: string } {
  if (!isMap(doc.contents)) return {};
  const kind = doc.get('kind');
  const apiVersion = doc.get('apiVersion');
  return {
    kind: typeof kind === 'string' ? kind : undefined,
    apiVersion: typeof apiVersion === 'string' ? apiVersion : undefined,
  };
}

/** Parse `text` and find its one kops Cluster, or throw a SpecError saying what is wrong and where. */
export function parseSpec(text: string, source: string): ParsedSpec {
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  if (!Array.isArray(docs)) {
    throw new SpecError(`${source} holds no YAML document.`, {
      hint: 'Give the file kops prints with `kops get cluster NAME -o yaml` or `kops get all NAME -o yaml`.',
    });
  }
  for (const doc of docs) {
    const error = doc.errors[0];
    // JSON that YAML cannot read (`kops get -o json` prints one object after another).
    if (error && looksLikeJson(text)) throw jsonSpecError(source);
    if (error) {
      const line = error.linePos?.[0]?.line ?? lineNumberOf(text, error.pos[0]);
      const detail = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new SpecError(`${source}:${line}: not valid YAML: ${detail}`, {
        hint: 'Fix the YAML at that line (check the indentation and quoting), then run the command again.',
      });
    }
  }
  const clusters: number[] = [];
  const otherClusters: string[] = [];
  const instanceGroups: InstanceGroupInfo[] = [];
  docs.forEach((doc, index) => {
    const { kind, apiVersion } = kindOf(doc);
    if (kind === 'Cluster') {
      if (apiVersion !== undefined && (CLUSTER_API_VERSIONS as readonly string[]).includes(apiVersion)) {
        clusters.push(index);
      } else otherClusters.push(apiVersion ?? '(no apiVersion)');
    }
    if (kind === 'InstanceGroup') {
      const role = doc.getIn(['spec', 'role']);
      const name = doc.getIn(['metadata', 'name']);
      const image = doc.getIn(['spec', 'image']);
      const assets = doc.getIn(['spec', 'fileAssets']);
      const fileAssets = isSeq(assets)
        ? assets.items.flatMap((item) => {
            if (!isMap(item)) return [];
            const [path, content, isBase64] = [item.get('path'), item.get('content'), item.get('isBase64')];
            if (typeof path !== 'string') return [];
            return [{ path, ...(typeof content === 'string' && isBase64 !== true ? { content } : {}) }];
          })
        : [];
      if (typeof role === 'string') {
        instanceGroups.push({
          name: typeof name === 'string' ? name : `(document ${index + 1})`,
          role,
          ...(typeof image === 'string' ? { image } : {}),
          ...(fileAssets.length > 0 ? { fileAssets } : {}),
        });
      }
    }
  });
  if (clusters.length === 0) {
    const other =
      otherClusters.length > 0 ? ` (found kind: Cluster with apiVersion ${otherClusters.join(', ')})` : '';
    throw new SpecError(`${source} has no kops Cluster document${other}.`, {
      hint: `kops-audit edits a document with kind: Cluster and apiVersion ${CLUSTER_API_VERSIONS.join(' or ')}; get one with \`kops get cluster NAME -o yaml\`.`,
    });
  }
  if (clusters.length > 1) {
    const lines = clusters.map((i) => lineNumberOf(text, docs[i]!.range[0])).join(' and ');
    throw new SpecError(
      `${source} has ${clusters.length} Cluster documents (at lines ${lines}); kops-audit edits one cluster at a time.`,
      {
        hint: 'Split the file so that each holds one Cluster (with its InstanceGroups), or use `kops get all NAME -o yaml` for one cluster.',
      },
    );
  }
  const index = clusters[0]!;
  const doc = docs[index]!;
  const specNode = doc.get('spec', true);
  const clusterLine = lineNumberOf(text, doc.range[0]);
  if (!isMap(specNode)) {
    const where = nodeLine(text, specNode, clusterLine);
    throw new SpecError(`${source}:${where}: the Cluster's spec is not a mapping.`, {
      hint: 'A kops Cluster needs `spec:` followed by indented fields; see `kops get cluster NAME -o yaml`.',
    });
  }
  if (specNode.items.length === 0) {
    throw new SpecError(`${source}:${nodeLine(text, specNode, clusterLine)}: the Cluster's spec is empty.`, {
      hint: 'Give the full Cluster spec, as `kops get cluster NAME -o yaml` prints it.',
    });
  }
  // An anchored (&a) or aliased (*a) map is shared with other fields: editing it would change them too.
  for (const key of ['kubeAPIServer', 'fileAssets']) {
    const node = specNode.get(key, true);
    const anchor = isAlias(node) ? `*${node.source}` : (node as { anchor?: string } | undefined)?.anchor;
    if (anchor) {
      throw new SpecError(
        `${source}:${nodeLine(text, node, clusterLine)}: spec.${key} is shared through a YAML anchor or alias (${isAlias(node) ? anchor : `&${anchor}`}); changing it would change the other fields that use it.`,
        { hint: `Write spec.${key} out in full (without & or *), then run the command again.` },
      );
    }
  }
  refuseMergeKeys(text, source, clusterLine, specNode);
  const fileAssets = specNode.get('fileAssets', true);
  if (
    fileAssets !== undefined &&
    !isSeq(fileAssets) &&
    !(isScalar(fileAssets) && fileAssets.value === null)
  ) {
    throw new SpecError(
      `${source}:${nodeLine(text, fileAssets, clusterLine)}: spec.fileAssets is not a list.`,
      {
        hint: 'Write spec.fileAssets as a list of entries (`- name: ...`), as the kops docs show.',
      },
    );
  }
  const kubeAPIServer = specNode.get('kubeAPIServer', true);
  if (
    kubeAPIServer !== undefined &&
    !isMap(kubeAPIServer) &&
    !(isScalar(kubeAPIServer) && kubeAPIServer.value === null)
  ) {
    throw new SpecError(
      `${source}:${nodeLine(text, kubeAPIServer, clusterLine)}: spec.kubeAPIServer is not a mapping.`,
      {
        hint: 'Write spec.kubeAPIServer as indented `field: value` lines.',
      },
    );
  }
  const name = doc.getIn(['metadata', 'name']);
  return {
    text,
    source,
    docs,
    cluster: {
      index,
      doc,
      apiVersion: String(doc.get('apiVersion')),
      name: typeof name === 'string' ? name : '',
      spec: specNode,
      end: lineStartAfter(text, doc.range[2]),
    },
    instanceGroupRoles: instanceGroups.map((group) => group.role),
    instanceGroups,
  };
}

/**
 * A YAML merge key (`<<: *defaults`) in spec, spec.kubeAPIServer or a file asset: kops (go-yaml)
 * merges it, so fields would hide in it that kops-audit neither sees nor keeps (an audit field
 * there would be overridden, a hand-written setup missed). Refused, like an anchored map.
 */
function refuseMergeKeys(text: string, source: string, clusterLine: number, spec: YAMLMap): void {
  const assets = spec.get('fileAssets', true);
  const maps: [string, unknown][] = [
    ['spec', spec],
    ['spec.kubeAPIServer', spec.get('kubeAPIServer', true)],
    ...(isSeq(assets)
      ? assets.items.map((item, i): [string, unknown] => [`spec.fileAssets[${i}]`, item])
      : []),
  ];
  for (const [field, map] of maps) {
    if (!isMap(map)) continue;
    const merge = map.items.find(
      (pair) => isScalar(pair.key) && (typeof pair.key.value === 'symbol' || pair.key.value === '<<'),
    );
    if (merge) {
      throw new SpecError(
        `${source}:${nodeLine(text, merge.key, clusterLine)}: ${field} takes fields from a YAML merge key (<<), which kops merges in; kops-audit would not see or keep them.`,
        { hint: `Write those fields out in ${field} (without <<), then run the command again.` },
      );
    }
  }
}

/**
 * A spec written as JSON (`kops get cluster -o json`): the first character is `{` or `[`. YAML reads
 * it, so status can check it, but it is all flow style, which the editor refuses.
 */
export function looksLikeJson(text: string): boolean {
  return /^[\s\uFEFF]*[{[]/.test(text);
}

/** Why enable and disable cannot change a JSON spec, and how to get the YAML they can. */
export function jsonSpecError(source: string): SpecError {
  return new SpecError(
    `${source === '-' ? 'stdin' : source} is JSON; kops-audit edits YAML, so that your comments and layout stay byte for byte.`,
    {
      hint: 'Get the spec as YAML with `kops get cluster NAME -o yaml` (or `kops get all NAME -o yaml`, with its InstanceGroups) and run the command on that.',
    },
  );
}

export function nodeLine(text: string, node: unknown, fallback: number): number {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  return range ? lineNumberOf(text, range[0]) : fallback;
}

export type { YAMLMap, YAMLSeq };
