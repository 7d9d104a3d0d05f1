#!/usr/bin/env node
// A fake `kops` for tests: behaves like the real CLI of the version in KOPS_EMULATOR_VERSION over a
// file:// state store, with fault injection and an invocation log. See README.md in this directory.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { FlagError, flagsFor, normalizer, parseFlags, usageText } from './flags.mjs';
import { podProblem } from './nodes.mjs';
import {
  listClusters,
  parseObjects,
  readCloud,
  readCluster,
  readInstanceGroups,
  stateDirOf,
  toKopsYaml,
  writeCloud,
  writeCluster,
  writeInstanceGroup,
} from './store.mjs';
import {
  additionalPolicyRoles,
  controlPlaneRole,
  emulatedVersion,
  hasGetAll,
  internalRole,
  parseRole,
  policyKeyFromV1alpha2,
  printsErrorTwice,
  validatesAuditWebhook,
  versionText,
} from './versions.mjs';

const env = process.env;
const argv = process.argv.slice(2);
const out = (text) => process.stdout.write(text);
const err = (text) => process.stderr.write(text);

/** An error kops returns from RunE: cobra prints `Error: <message>`, main exits 1. */
class KopsFail extends Error {
  constructor(message, { lowercase = false } = {}) {
    super(message);
    // ≤1.21 commands using Run + exitWithError print only `\nerror: <message>`.
    this.lowercase = lowercase;
  }
}

/** Something the emulator does not do (a test bug, not kops behaviour): exit 3 so it stands out. */
class NotEmulated extends Error {}

const log = {
  argv,
  version: env.KOPS_EMULATOR_VERSION || '1.28.4',
  command: undefined,
  stateStore: undefined,
  exitCode: undefined,
};

function writeLog() {
  if (!env.KOPS_EMULATOR_LOG) return;
  appendFileSync(env.KOPS_EMULATOR_LOG, `${JSON.stringify(log)}\n`);
}

function previousInvocations(command) {
  if (!env.KOPS_EMULATOR_LOG || !existsSync(env.KOPS_EMULATOR_LOG)) return 0;
  return readFileSync(env.KOPS_EMULATOR_LOG, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => JSON.parse(line).command === command).length;
}

function klog(severity, where, message) {
  const d = new Date();
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000, 6)}`;
  err(`${severity}${stamp}   ${String(process.pid).padStart(5)} ${where}] ${message}\n`);
}

/** tabwriter-style table as kops' tables.Table renders it (tab padding, tab width 8). */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (text, i, last) => {
    if (last) return text;
    const width = Math.ceil((widths[i] + 1) / 8) * 8;
    return text + '\t'.repeat(Math.ceil((width - text.length) / 8));
  };
  return [header, ...rows]
    .map((r) => r.map((c, i) => cell(String(c), i, i === r.length - 1)).join(''))
    .join('\n')
    .concat('\n');
}

// ---------------------------------------------------------------- command path
const KNOWN = {
  version: [],
  get: ['cluster', 'clusters', 'instancegroups', 'instancegroup', 'ig', 'all'],
  replace: [],
  update: ['cluster'],
  'rolling-update': ['cluster'],
};
const OTHER = [
  'completion',
  'create',
  'delete',
  'distrust',
  'edit',
  'export',
  'promote',
  'set',
  'toolbox',
  'trust',
];
const OTHER2 = ['unset', 'upgrade', 'validate', 'reconcile', 'help', 'describe', 'import', 'annotate'];
const VALUE_FLAGS = new Set(['state', 'name', 'config', 'output', 'o', 'filename', 'f', 'v', 'log_dir']);

/** Find the sub-command words among the args as cobra's Find does (skipping flags and their values). */
function commandPath(args, version) {
  const words = [];
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      rest.push(a);
      const name = a.replace(/^-+/, '');
      if (!a.includes('=') && VALUE_FLAGS.has(name) && i + 1 < args.length) rest.push(args[++i]);
      continue;
    }
    const subs = words.length === 1 ? (KNOWN[words[0]] ?? []) : [];
    const isSub = subs.includes(a) && !(a === 'all' && !hasGetAll(version));
    if (words.length === 0 || (words.length === 1 && isSub)) words.push(a);
    else rest.push(a);
  }
  return { words, rest };
}

// ---------------------------------------------------------------- shared steps
function stateDirFrom(values) {
  let store = values.state ?? env.KOPS_STATE_STORE ?? '';
  store = store.replace(/\/$/, '');
  log.stateStore = store;
  if (store === '') {
    throw new KopsFail(
      'Please set the --state flag or export KOPS_STATE_STORE.\n' +
        'For example, a valid value follows the format s3://<bucket>.\n' +
        'You can find the supported stores in https://kops.sigs.k8s.io/state.',
    );
  }
  const dir = stateDirOf(store);
  if (dir === undefined) throw new NotEmulated(`only file:// state stores are emulated, not ${store}`);
  klog('W', 'factory.go:91', 'The local filesystem state store is not functional for running clusters');
  return dir;
}

/** rootCommand.clusterNameArgs: one positional or --name, never both; no kubeconfig context here. */
function clusterNameArgs(values, positionals) {
  const flagName = values.name ?? env.KOPS_CLUSTER_NAME ?? '';
  if (positionals.length === 1 && flagName === '') return positionals[0];
  if (positionals.length > 0) {
    let text = '\nFound multiple arguments which look like a cluster name\n';
    if (flagName !== '') text += `\t${JSON.stringify(flagName)} (via flag)\n`;
    for (const a of positionals) text += `\t${JSON.stringify(a)} (as argument)\n`;
    text += '\nThis often happens if you specify an argument to a boolean flag without using =\n';
    text += 'For example: use `--bastion=true` or `--bastion`, not `--bastion true`\n\n';
    out(text);
    throw new KopsFail(
      positionals.length === 1
        ? 'cannot specify cluster via --name and positional argument'
        : 'expected a single <clustername> to be passed as an argument',
    );
  }
  if (flagName === '') {
    klog('W', 'root.go:296', 'no context set in kubecfg');
    throw new KopsFail('--name is required');
  }
  return flagName;
}

function getCluster(stateDir, name) {
  const cluster = readCluster(stateDir, name);
  if (!cluster) throw new KopsFail(`cluster ${JSON.stringify(name)} not found`);
  return cluster;
}

function injectFault(command, v) {
  const spec = (env.KOPS_EMULATOR_FAIL ?? '').split(',').filter(Boolean);
  for (const item of spec) {
    const [cmd, nth] = item.split(':');
    if (cmd !== command) continue;
    if (nth !== undefined) {
      if (!env.KOPS_EMULATOR_LOG) throw new NotEmulated('KOPS_EMULATOR_FAIL=cmd:N needs KOPS_EMULATOR_LOG');
      if (previousInvocations(command) + 1 !== Number(nth)) continue;
    }
    const custom = env.KOPS_EMULATOR_FAIL_MESSAGE;
    const messages = {
      version: 'injected failure (KOPS_EMULATOR_FAIL)',
      get: 'error reading cluster configuration: injected failure (KOPS_EMULATOR_FAIL)',
      replace: 'error replacing cluster: injected failure (KOPS_EMULATOR_FAIL)',
      update:
        'error running tasks: deadline exceeded executing task LaunchTemplate/control-plane-us-east-1a. ' +
        'Example error: injected failure (KOPS_EMULATOR_FAIL)',
      'rolling-update': `${controlPlaneRole(v) === 'ControlPlane' ? 'control-plane node' : 'master'} not healthy after update, stopping rolling-update: "injected failure (KOPS_EMULATOR_FAIL)"`,
    };
    throw new KopsFail(custom || messages[command]);
  }
}

/** KOPS_EMULATOR_HANG=<command>: stop here until a signal arrives, as a slow kops would. */
async function maybeHang(command) {
  if ((env.KOPS_EMULATOR_HANG ?? '').split(',').includes(command)) {
    klog('I', 'emulator.go:1', `${command} is taking its time (KOPS_EMULATOR_HANG)`);
    await new Promise(() => setInterval(() => {}, 1 << 30));
  }
  const delay = Number(env.KOPS_EMULATOR_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
}

/** KOPS_EMULATOR_CONCURRENT_EDIT=N: right after the Nth `get`, someone else edits the cluster. */
function maybeConcurrentEdit(stateDir, name) {
  const nth = Number(env.KOPS_EMULATOR_CONCURRENT_EDIT ?? 0);
  if (nth === 0 || previousInvocations('get') + 1 !== nth) return;
  const cluster = readCluster(stateDir, name);
  if (!cluster) return;
  cluster.spec.kubeAPIServer = { ...(cluster.spec.kubeAPIServer ?? {}), maxRequestsInflight: 1000 };
  cluster.metadata.generation = (cluster.metadata.generation ?? 0) + 1;
  writeCluster(stateDir, cluster);
}

function printObjects(objects, format, single) {
  if (format === 'yaml') {
    out(objects.map(toKopsYaml).join('\n---\n\n'));
  } else if (format === 'json') {
    out(`${JSON.stringify(single ? objects[0] : objects, null, 2)}\n`);
  } else {
    throw new KopsFail(`Unknown output format: ${JSON.stringify(format)}`);
  }
}

function clusterTable(clusters) {
  const zones = (c) =>
    [...new Set((c.spec.subnets ?? []).map((s) => s.zone).filter(Boolean))].sort().join(',');
  return table(
    ['NAME', 'CLOUD', 'ZONES'],
    clusters.map((c) => [c.metadata.name, c.spec.cloudProvider ?? '', zones(c)]),
  );
}

function igTable(igs) {
  return table(
    ['NAME', 'ROLE', 'MACHINETYPE', 'MIN', 'MAX', 'ZONES'],
    igs.map((ig) => [
      ig.metadata.name,
      ig.spec.role,
      ig.spec.machineType ?? '',
      ig.spec.minSize ?? '',
      ig.spec.maxSize ?? '',
      (ig.spec.subnets ?? []).join(','),
    ]),
  );
}

// ---------------------------------------------------------------- commands
function runVersion(v, values) {
  if (values.server) throw new NotEmulated('kops version --server');
  out(versionText(v, Boolean(values.short)));
}

/** `kops get [CLUSTER]` (deprecated since 1.26) and `kops get all`: Cluster then InstanceGroups. */
async function runGetAll(v, values, positionals, legacy) {
  let name;
  if (legacy) {
    const flagName = values.name ?? env.KOPS_CLUSTER_NAME ?? '';
    if (positionals.length > 0 && flagName !== '') {
      throw new KopsFail('cannot mix --name for cluster with positional arguments', {
        lowercase: printsErrorTwice(v),
      });
    }
    name = positionals[0] ?? flagName;
    if (hasGetAll(v))
      klog('W', 'get.go:142', '`kops get [CLUSTER]` is deprecated: use `kops get all [CLUSTER]`');
    if (name === '') throw new KopsFail('--name is required', { lowercase: printsErrorTwice(v) });
  } else {
    name = clusterNameArgs(values, positionals);
  }
  const stateDir = stateDirFrom(values);
  injectFault('get', v);
  await maybeHang('get');
  const cluster = readCluster(stateDir, name);
  if (!cluster)
    throw new KopsFail(`cluster ${JSON.stringify(name)} not found`, {
      lowercase: legacy && printsErrorTwice(v),
    });
  const igs = readInstanceGroups(stateDir, name);
  const format = values.output ?? 'table';
  if (format === 'table') out(`Cluster\n${clusterTable([cluster])}\nInstance Groups\n${igTable(igs)}`);
  else printObjects([cluster, ...igs], format, false);
  maybeConcurrentEdit(stateDir, name);
}

async function runGetCluster(v, values, positionals) {
  const flagName = values.name ?? env.KOPS_CLUSTER_NAME ?? '';
  const lowercase = printsErrorTwice(v);
  if (positionals.length > 0 && flagName !== '') {
    throw new KopsFail('cannot mix --name for cluster with positional arguments', { lowercase });
  }
  const names = positionals.length > 0 ? positionals : flagName !== '' ? [flagName] : [];
  const stateDir = stateDirFrom(values);
  injectFault('get', v);
  await maybeHang('get');
  const all = (names.length > 0 ? names : listClusters(stateDir)).map((n) => [n, readCluster(stateDir, n)]);
  const missing = all.find(([, c]) => !c);
  if (missing) throw new KopsFail(`cluster not found ${JSON.stringify(missing[0])}`, { lowercase });
  const clusters = all.map(([, c]) => c);
  if (clusters.length === 0) throw new KopsFail('no clusters found', { lowercase });
  const format = values.output ?? 'table';
  if (values.full) throw new NotEmulated('kops get cluster --full');
  if (format === 'table') out(clusterTable(clusters));
  else printObjects(clusters, format, names.length === 1);
  if (names.length === 1) maybeConcurrentEdit(stateDir, names[0]);
}

async function runGetInstanceGroups(v, values, positionals) {
  const name = values.name ?? env.KOPS_CLUSTER_NAME ?? '';
  if (name === '') throw new KopsFail('--name is required');
  const stateDir = stateDirFrom(values);
  injectFault('get', v);
  getCluster(stateDir, name);
  let igs = readInstanceGroups(stateDir, name);
  if (positionals.length > 0) {
    for (const p of positionals) {
      if (!igs.some((ig) => ig.metadata.name === p))
        throw new KopsFail(`instancegroup not found ${JSON.stringify(p)}`);
    }
    igs = igs.filter((ig) => positionals.includes(ig.metadata.name));
  }
  const format = values.output ?? 'table';
  if (format === 'table') out(igTable(igs));
  else printObjects(igs, format, false);
}

const INT32_AUDIT_FIELDS = [
  'auditLogMaxAge',
  'auditLogMaxBackups',
  'auditLogMaxSize',
  'auditWebhookBatchBufferSize',
  'auditWebhookBatchMaxSize',
  'auditWebhookBatchThrottleBurst',
];
const STRING_AUDIT_FIELDS = [
  'auditLogFormat',
  'auditLogPath',
  'auditPolicyFile',
  'auditWebhookBatchMaxWait',
  'auditWebhookConfigFile',
  'auditWebhookInitialBackoff',
  'auditWebhookMode',
];

/** What kopscodecs.Decode refuses: Go's JSON decoder on wrong types (only the audit fields here). */
function decodeProblem(obj) {
  const api = obj.spec?.kubeAPIServer ?? {};
  for (const f of INT32_AUDIT_FIELDS) {
    if (api[f] !== undefined && api[f] !== null && !Number.isInteger(api[f])) {
      const kind = typeof api[f] === 'string' ? 'string' : typeof api[f] === 'boolean' ? 'bool' : 'number';
      return `json: cannot unmarshal ${kind} into Go struct field KubeAPIServerConfig.spec.kubeAPIServer.${f} of type int32`;
    }
  }
  // ClusterSpec.AdditionalPolicies is a map[string]string.
  for (const [key, value] of Object.entries(obj.spec?.additionalPolicies ?? {})) {
    if (typeof value !== 'string') {
      const kind = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'bool' : 'object';
      return `json: cannot unmarshal ${kind} into Go struct field ClusterSpec.spec.additionalPolicies of type string (key ${key})`;
    }
  }
  for (const f of STRING_AUDIT_FIELDS) {
    if (api[f] !== undefined && api[f] !== null && typeof api[f] !== 'string') {
      const kind = typeof api[f] === 'number' ? 'number' : typeof api[f] === 'boolean' ? 'bool' : 'object';
      return `json: cannot unmarshal ${kind} into Go struct field KubeAPIServerConfig.spec.kubeAPIServer.${f} of type string`;
    }
  }
  return undefined;
}

/** The audit and fileAsset rules of validation.ValidateCluster (pkg/apis/kops/validation/validation.go). */
function validateCluster(v, cluster) {
  const errs = [];
  (cluster.spec.fileAssets ?? []).forEach((asset, i) => {
    if (!asset?.name) errs.push(`spec.fileAssets[${i}].name: Required value`);
    if (!asset?.content) errs.push(`spec.fileAssets[${i}].content: Required value`);
  });
  errs.push(...additionalPolicyProblems(v, cluster.spec.additionalPolicies));
  const api = cluster.spec.kubeAPIServer ?? {};
  if (validatesAuditWebhook(v) && api.auditWebhookConfigFile) {
    const field = 'spec.kubeAPIServer.auditWebhookConfigFile';
    const value = JSON.stringify(api.auditWebhookConfigFile);
    if (!api.auditPolicyFile) {
      errs.push(
        `${field}: Invalid value: ${value}: an audit policy is required for the audit webhook config`,
      );
    } else if (dirname(api.auditPolicyFile) !== dirname(api.auditWebhookConfigFile)) {
      errs.push(
        `${field}: Invalid value: ${value}: the audit webhook config must be placed in the same directory as the audit policy`,
      );
    }
  }
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

/**
 * validateAdditionalPolicy (pkg/apis/kops/validation/validation.go): the key is a lower-cased role,
 * the value a JSON list of statements (iam.ParseStatements) whose Effect is Allow or Deny. Keys are
 * checked as the internal object has them, after the v1alpha2 conversion of `master`.
 */
function additionalPolicyProblems(v, policies) {
  const errs = [];
  const field = 'spec.additionalPolicies';
  const internal = new Map();
  for (const [key, value] of Object.entries(policies ?? {})) {
    const converted = policyKeyFromV1alpha2(v, key);
    if (internal.has(converted)) {
      // Go's map conversion keeps one of the two at random: no test may depend on that.
      throw new NotEmulated(
        `additionalPolicies has both ${internal.get(converted).key} and ${key}, which kops converts to one key`,
      );
    }
    internal.set(converted, { key, value });
  }
  for (const [role, { value }] of internal) {
    const valid = additionalPolicyRoles(v);
    if (!valid.includes(role)) {
      errs.push(
        `${field}: Unsupported value: ${JSON.stringify(role)}: supported values: ${valid.map((r) => JSON.stringify(r)).join(', ')}`,
      );
    }
    let statements;
    try {
      statements = JSON.parse(value);
      if (!Array.isArray(statements))
        throw new Error('json: cannot unmarshal object into Go value of type []*iam.Statement');
    } catch (e) {
      errs.push(
        `${field}[${role}]: Invalid value: ${JSON.stringify(value)}: policy was not valid JSON: ${e.message}`,
      );
      continue;
    }
    statements.forEach((statement, i) => {
      const effect = statement?.Effect;
      const at = `${field}[${role}][${i}].Effect`;
      if (effect === undefined || effect === '')
        errs.push(`${at}: Required value: Effect must be specified for IAM policy`);
      else if (effect !== 'Allow' && effect !== 'Deny') {
        errs.push(`${at}: Unsupported value: ${JSON.stringify(effect)}: supported values: "Allow", "Deny"`);
      }
    });
  }
  return errs;
}

function dirname(p) {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

const sameJson = (a, b) => JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));
function sortDeep(x) {
  if (Array.isArray(x)) return x.map(sortDeep);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, sortDeep(x[k])]),
    );
  }
  return x;
}

async function runReplace(v, values, positionals) {
  if (positionals.length > 0)
    throw new KopsFail(`unknown command ${JSON.stringify(positionals[0])} for "kops replace"`);
  const files = values.filename ?? [];
  if (files.length === 0) throw new KopsFail('required flag(s) "filename" not set');
  const stateDir = stateDirFrom(values);
  injectFault('replace', v);
  log.files = [];
  const inputs = files.map((f) => {
    if (f === '-') {
      const text = readFileSync(0, 'utf8');
      log.stdin = text;
      return [f, text];
    }
    if (!existsSync(f))
      throw new KopsFail(`error reading file ${JSON.stringify(f)}: open ${f}: no such file or directory`);
    const text = readFileSync(f, 'utf8');
    log.files.push({ path: f, mode: (statSync(f).mode & 0o777).toString(8).padStart(4, '0'), content: text });
    return [f, text];
  });
  await maybeHang('replace');
  for (const [f, text] of inputs) {
    let objects;
    try {
      objects = parseObjects(text);
    } catch (e) {
      throw new KopsFail(`error parsing file ${JSON.stringify(f)}: ${e.message}`);
    }
    for (const obj of objects) {
      if (!obj?.kind || !obj?.apiVersion) {
        throw new KopsFail(
          `error parsing file ${JSON.stringify(f)}: Object 'Kind' is missing in '${JSON.stringify(obj)}'`,
        );
      }
      if (obj.apiVersion !== 'kops.k8s.io/v1alpha2' && obj.apiVersion !== 'kops/v1alpha2') {
        throw new KopsFail(
          `error parsing file ${JSON.stringify(f)}: no kind ${JSON.stringify(obj.kind)} is registered for version ${JSON.stringify(obj.apiVersion)} in scheme "k8s.io/kops/pkg/kopscodecs/codecs.go:35"`,
        );
      }
      const problem = decodeProblem(obj);
      if (problem) throw new KopsFail(`error parsing file ${JSON.stringify(f)}: ${problem}`);
      obj.apiVersion = 'kops.k8s.io/v1alpha2';
      if (obj.kind === 'Cluster') replaceCluster(v, stateDir, obj, values.force);
      else if (obj.kind === 'InstanceGroup') replaceInstanceGroup(stateDir, obj, values.force);
      else
        throw new KopsFail(`unhandled kind "kops.k8s.io/v1alpha2, Kind=${obj.kind}" in ${JSON.stringify(f)}`);
    }
  }
}

function replaceCluster(v, stateDir, obj, force) {
  const name = obj.metadata?.name ?? '';
  const old = name === '' ? undefined : readCluster(stateDir, name);
  if (!old && !force) throw new KopsFail(`cluster ${name} does not exist (try adding --force flag)`);
  obj.spec ??= {};
  const invalid = validateCluster(v, obj);
  if (invalid) throw new KopsFail(`error replacing cluster: ${invalid}`);
  // Stored as the internal object and printed as v1alpha2: `control-plane` comes back as `master`.
  const policies = obj.spec.additionalPolicies;
  if (policies && policyKeyFromV1alpha2(v, 'master') === 'control-plane' && 'control-plane' in policies) {
    obj.spec.additionalPolicies = Object.fromEntries(
      Object.entries(policies).map(([key, value]) => [key === 'control-plane' ? 'master' : key, value]),
    );
  }
  const metadata = { ...obj.metadata, name };
  if (old) {
    metadata.creationTimestamp = old.metadata.creationTimestamp;
    const generation = old.metadata.generation ?? 0;
    // vfsclientset Update bumps the generation only when the spec changed.
    const next = sameJson(old.spec, obj.spec) ? generation : generation + 1;
    if (next > 0) metadata.generation = next;
    else delete metadata.generation;
  }
  writeCluster(stateDir, { apiVersion: obj.apiVersion, kind: 'Cluster', metadata, spec: obj.spec });
}

function replaceInstanceGroup(stateDir, obj, force) {
  const clusterName = obj.metadata?.labels?.['kops.k8s.io/cluster'] ?? '';
  if (clusterName === '') {
    throw new KopsFail('must specify "kops.k8s.io/cluster" label with cluster name to replace instanceGroup');
  }
  if (!readCluster(stateDir, clusterName))
    throw new KopsFail(`cluster ${JSON.stringify(clusterName)} not found`);
  const exists = readInstanceGroups(stateDir, clusterName).some(
    (ig) => ig.metadata.name === obj.metadata.name,
  );
  if (!exists && !force)
    throw new KopsFail(`instanceGroup: ${obj.metadata.name} does not exist (try adding --force flag)`);
  writeInstanceGroup(stateDir, clusterName, obj);
}

/** Instance groups whose instances change when the applied spec goes from `before` to `after`. */
function affectedGroups(v, before, after, igs) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changed = [...keys].filter((k) => !sameJson(before?.[k], after?.[k]));
  const delivered = (spec, role) =>
    (spec?.fileAssets ?? []).filter((a) => !a?.roles || a.roles.length === 0 || a.roles.includes(role));
  return igs.filter((ig) => {
    const role = internalRole(v, ig.spec.role);
    const runsApiserver = role === controlPlaneRole(v) || role === 'APIServer';
    return changed.some((k) => {
      if (k === 'kubeAPIServer') return runsApiserver;
      if (k === 'fileAssets') return !sameJson(delivered(before, role), delivered(after, role));
      return true;
    });
  });
}

async function runUpdateCluster(v, values, positionals) {
  const name = clusterNameArgs(values, positionals);
  const stateDir = stateDirFrom(values);
  const cluster = getCluster(stateDir, name);
  injectFault('update', v);
  const igs = readInstanceGroups(stateDir, name);
  const cloud = readCloud(stateDir, name);
  const generation = cluster.metadata.generation ?? 0;
  const pending = cloud.appliedGeneration !== generation;
  const affected = pending ? affectedGroups(v, cloud.appliedSpec, cluster.spec, igs) : [];
  if (!values.yes) {
    if (affected.length === 0 && !pending) {
      out('\nNo changes need to be applied\n');
      return;
    }
    let text = '\nWill modify resources:\n';
    for (const ig of affected)
      text += `  LaunchTemplate/${ig.metadata.name}.${name}\n  \tUserData            <user data>\n\n`;
    out(`${text}Must specify --yes to apply changes\n`);
    return;
  }
  klog('I', 'executor.go:111', 'Tasks: 0 done / 48 total; 46 can run');
  await maybeHang('update');
  klog('I', 'executor.go:111', 'Tasks: 48 done / 48 total; 0 can run');
  // Groups the cloud has never run get fresh instances built from this generation (nothing to roll),
  // as kops' first `update --yes` creates them; groups it runs get the new target for rolling-update.
  for (const ig of igs) {
    if (!cloud.instanceGroups[ig.metadata.name]) {
      cloud.instanceGroups[ig.metadata.name] = { running: generation, target: generation };
    } else if (affected.includes(ig)) {
      cloud.instanceGroups[ig.metadata.name] = {
        ...cloud.instanceGroups[ig.metadata.name],
        target: generation,
      };
    }
  }
  cloud.appliedGeneration = generation;
  cloud.appliedSpec = cluster.spec;
  writeCloud(stateDir, name, cloud);
  out(
    '\nCluster changes have been applied to the cloud.\n\n\nChanges may require instances to restart: kops rolling-update cluster\n\n',
  );
}

const ROLL_ORDER = { Bastion: 0, ControlPlane: 1, Master: 1, APIServer: 2, Node: 3 };

async function runRollingUpdate(v, values, positionals) {
  const name = clusterNameArgs(values, positionals);
  const stateDir = stateDirFrom(values);
  const cluster = getCluster(stateDir, name);
  let igs = readInstanceGroups(stateDir, name);
  if (values['instance-group']) {
    const wanted = values['instance-group'];
    for (const w of wanted)
      if (!igs.some((ig) => ig.metadata.name === w))
        throw new KopsFail(`InstanceGroup ${JSON.stringify(w)} not found`);
    igs = wanted.map((w) => igs.find((ig) => ig.metadata.name === w));
  }
  if (values['instance-group-roles']) {
    const filtered = [];
    for (const input of values['instance-group-roles']) {
      const role = parseRole(v, input);
      if (!role) throw new KopsFail(`invalid instance group role ${JSON.stringify(input)}`);
      filtered.push(...igs.filter((ig) => internalRole(v, ig.spec.role) === role));
    }
    igs = filtered;
  }
  injectFault('rolling-update', v);
  const cloud = readCloud(stateDir, name);
  const state = (ig) => cloud.instanceGroups[ig.metadata.name] ?? { running: 0, target: 0 };
  const size = (ig) => ig.spec.minSize ?? 1;
  const needs = (ig) => (state(ig).target > state(ig).running ? size(ig) : 0);
  const columns = ['NAME', 'STATUS', 'NEEDUPDATE', 'READY', 'MIN', 'TARGET', 'MAX'];
  if (!values.cloudonly) columns.push('NODES');
  const rows = igs.map((ig) => {
    const row = [
      ig.metadata.name,
      needs(ig) > 0 ? 'NeedsUpdate' : 'Ready',
      needs(ig),
      size(ig) - needs(ig),
      ig.spec.minSize ?? 1,
      size(ig),
      ig.spec.maxSize ?? 1,
    ];
    if (!values.cloudonly) row.push(size(ig));
    return row;
  });
  out(table(columns, rows));
  const todo = igs.filter((ig) => values.force || needs(ig) > 0);
  if (todo.length === 0) {
    out('\nNo rolling-update required.\n');
    return;
  }
  if (!values.yes) {
    out('\nMust specify --yes to rolling-update.\n');
    return;
  }
  todo.sort((a, b) => ROLL_ORDER[internalRole(v, a.spec.role)] - ROLL_ORDER[internalRole(v, b.spec.role)]);
  for (const ig of todo) {
    const role = internalRole(v, ig.spec.role);
    for (let i = 0; i < size(ig); i++) {
      const id = `i-0${ig.metadata.name.length}${i}a7e5c0ffee${i}`;
      klog('I', 'instancegroups.go:501', `Validating the cluster.`);
      klog('I', 'instancegroups.go:537', `Cluster validated.`);
      klog(
        'I',
        'instancegroups.go:303',
        `Stopping instance "${id}", node "${id}", in group "${ig.metadata.name}" (this may take a while).`,
      );
      await maybeHang('rolling-update');
      const problem =
        values.cloudonly || role === 'Node' || role === 'Bastion' ? undefined : podProblem(v, cluster, role);
      if (problem) {
        klog(
          'I',
          'instancegroups.go:559',
          `Cluster did not pass validation, will retry in "30s": ${problem}.`,
        );
        const what =
          role === controlPlaneRole(v) && role === 'ControlPlane'
            ? 'control-plane node'
            : role === 'Master'
              ? 'master'
              : 'apiserver node';
        throw new KopsFail(
          `${what} not healthy after update, stopping rolling-update: "error validating cluster after terminating instance: cluster did not validate within a duration of \\"15m0s\\""`,
        );
      }
    }
    cloud.instanceGroups[ig.metadata.name] = { ...state(ig), running: state(ig).target };
    writeCloud(stateDir, name, cloud);
  }
  klog('I', 'rollingupdate.go:234', `Rolling update completed for cluster ${JSON.stringify(name)}!`);
}

// ---------------------------------------------------------------- main
function helpText(path) {
  return `kops is Kubernetes Operations (emulated: ${path || 'kops'}).\n\nUsage:\n  kops [command]\n`;
}

async function dispatch(v) {
  const { words, rest } = commandPath(argv, v);
  const [top, sub] = words;
  if (top === undefined) {
    out(helpText(''));
    return 0;
  }
  if (!(top in KNOWN)) {
    if (OTHER.includes(top) || OTHER2.includes(top)) throw new NotEmulated(`kops ${top}`);
    throw new KopsFail(`unknown command ${JSON.stringify(top)} for "kops"\nRun 'kops --help' for usage.`);
  }
  if ((top === 'update' || top === 'rolling-update') && sub === undefined) {
    out(helpText(top));
    return 0;
  }
  let path = sub === undefined ? top : `${top} ${sub}`;
  if (top === 'get' && ['clusters', 'cluster'].includes(sub)) path = 'get cluster';
  if (top === 'get' && ['instancegroups', 'instancegroup', 'ig'].includes(sub)) path = 'get instancegroups';
  log.command = top;
  const flags = flagsFor(v, path);
  let parsed;
  try {
    parsed = parseFlags(rest, flags, normalizer(v, path));
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    err(`Error: ${e.message}\n${usageText(`kops ${path}`, flags)}`);
    if (printsErrorTwice(v)) err(`\nerror: ${e.message}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(usageText(`kops ${path}`, flags));
    return 0;
  }
  log.clusterName = values.name ?? env.KOPS_CLUSTER_NAME;
  switch (path) {
    case 'version':
      runVersion(v, values);
      break;
    case 'get':
      await runGetAll(v, values, positionals, true);
      break;
    case 'get all':
      await runGetAll(v, values, positionals, false);
      break;
    case 'get cluster':
      await runGetCluster(v, values, positionals);
      break;
    case 'get instancegroups':
      await runGetInstanceGroups(v, values, positionals);
      break;
    case 'replace':
      await runReplace(v, values, positionals);
      break;
    case 'update cluster':
      await runUpdateCluster(v, values, positionals);
      break;
    case 'rolling-update cluster':
      await runRollingUpdate(v, values, positionals);
      break;
    default:
      throw new NotEmulated(`kops ${path}`);
  }
  return 0;
}

function finish(code, signal) {
  log.exitCode = code;
  if (signal) log.signal = signal;
  writeLog();
  if (signal) {
    // kops has no SIGINT handler: the Go runtime dies of the signal. Do the same.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

// kops handles none of these, so Go's runtime dies of each (SIGHUP too: a closed terminal).
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
  process.on(signal, () => finish(128 + number, signal));
}

let version;
try {
  version = emulatedVersion(env);
} catch (e) {
  err(`${e.message}\n`);
  finish(3);
}
if (version) {
  dispatch(version).then(
    (code) => finish(code),
    (e) => {
      if (e instanceof KopsFail) {
        if (e.lowercase) err(`\nerror: ${e.message}\n`);
        else {
          err(`Error: ${e.message}\n`);
          if (printsErrorTwice(version)) err(`\nerror: ${e.message}\n`);
        }
        finish(1);
      } else if (e instanceof NotEmulated) {
        err(`kops emulator: not emulated: ${e.message}\n`);
        finish(3);
      } else {
        err(`kops emulator crashed: ${e.stack}\n`);
        finish(3);
      }
    },
  );
}
