// Which flags each emulated command has, per kops version, and a pflag-style parser that rejects
// the rest exactly as cobra prints it. Facts: ../shared/research/kops.md §4.
import { atLeast } from './versions.mjs';

/** A command-line error cobra reports as `Error: <message>` followed by the usage text. */
export class FlagError extends Error {}

const GLOBAL = [
  { name: 'state', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'config', type: 'string' },
  { name: 'v', short: 'v', type: 'int32' },
  { name: 'logtostderr', type: 'bool' },
  { name: 'alsologtostderr', type: 'bool' },
  { name: 'log_dir', type: 'string' },
  { name: 'help', short: 'h', type: 'bool' },
];

const ROLLING_UPDATE = [
  { name: 'yes', short: 'y', type: 'bool' },
  { name: 'force', type: 'bool' },
  { name: 'cloudonly', type: 'bool' },
  { name: 'validation-timeout', type: 'duration' },
  { name: 'validate-count', type: 'int32' },
  { name: 'master-interval', type: 'duration' },
  { name: 'control-plane-interval', type: 'duration', since: '1.26.0-alpha.1' },
  { name: 'node-interval', type: 'duration' },
  { name: 'bastion-interval', type: 'duration' },
  { name: 'post-drain-delay', type: 'duration' },
  { name: 'drain-timeout', type: 'duration', since: '1.23.0-alpha.1' },
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'instance-group', type: 'stringSlice' },
  { name: 'instance-group-roles', type: 'stringSlice' },
  { name: 'fail-on-drain-error', type: 'bool' },
  { name: 'fail-on-validate-error', type: 'bool' },
  { name: 'admin', type: 'optString', since: '1.32.0-alpha.1' },
];

const UPDATE = [
  { name: 'yes', short: 'y', type: 'bool' },
  { name: 'target', type: 'string' },
  { name: 'out', type: 'string' },
  { name: 'create-kube-config', type: 'bool' },
  { name: 'admin', type: 'optString' },
  { name: 'user', type: 'string' },
  { name: 'internal', type: 'bool' },
  { name: 'allow-kops-downgrade', type: 'bool' },
  { name: 'instance-group', type: 'stringSlice' },
  { name: 'instance-group-roles', type: 'stringSlice', since: '1.31.0-alpha.1' },
  { name: 'phase', type: 'string' },
  { name: 'lifecycle-overrides', type: 'stringSlice' },
  { name: 'prune', type: 'bool', since: '1.29.0-alpha.1' },
  { name: 'ignore-kubelet-version-skew', type: 'bool', since: '1.31.0-alpha.1' },
  { name: 'ssh-public-key', type: 'string' },
];

/** Flags per command path; `get` flags are persistent, so its sub-commands inherit `-o`. */
export function flagsFor(version, path) {
  const get = [{ name: 'output', short: 'o', type: 'string' }];
  const local = {
    version: [
      { name: 'short', type: 'bool' },
      { name: 'server', type: 'bool', since: '1.24.0-alpha.1' },
    ],
    get,
    'get cluster': [...get, { name: 'full', type: 'bool' }],
    'get instancegroups': get,
    'get all': get,
    replace: [
      { name: 'filename', short: 'f', type: 'stringSlice' },
      { name: 'force', type: 'bool' },
    ],
    'update cluster': UPDATE,
    'rolling-update cluster': ROLLING_UPDATE,
  }[path];
  if (!local) return undefined;
  return [...GLOBAL, ...local].filter((f) => !f.since || atLeast(version, f.since));
}

/** pflag NormalizeFunc of `rolling-update cluster` (aliases), and 1.26-1.27's master→control-plane. */
export function normalizer(version, path) {
  if (path !== 'rolling-update cluster') return (name) => name;
  const mapsMaster = atLeast(version, '1.26.0-alpha.1') && !atLeast(version, '1.28.0-alpha.1');
  return (name) => {
    if (name === 'ig' || name === 'instance-groups') return 'instance-group';
    if (name === 'role' || name === 'roles' || name === 'instance-group-role') return 'instance-group-roles';
    if (mapsMaster && name === 'master-interval') return 'control-plane-interval';
    return name;
  };
}

// Go's time.ParseDuration: an optional sign, then "0" or numbers with units (µ as U+00B5 or U+03BC).
const DURATION = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

function checkValue(flag, shown, value) {
  const bad = (why) =>
    new FlagError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(shown)} flag: ${why}`);
  if (flag.type === 'duration' && !DURATION.test(value)) {
    throw bad(`time: invalid duration ${JSON.stringify(value)}`);
  }
  if (flag.type === 'int32' && !/^[+-]?\d+$/.test(value)) {
    throw bad(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  if (flag.type === 'bool' && !/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value)) {
    throw bad(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
}

function store(values, flag, value) {
  if (flag.type === 'stringSlice') {
    values[flag.name] = [...(values[flag.name] ?? []), ...(value === '' ? [] : value.split(','))];
  } else if (flag.type === 'bool') {
    values[flag.name] = /^(1|t|T|TRUE|true|True)$/.test(value);
  } else {
    values[flag.name] = value;
  }
}

/** Parse args after the command path like pflag: returns {values, positionals} or throws FlagError. */
export function parseFlags(args, flags, normalize) {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short, f]));
  const values = {};
  const positionals = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const rawName = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const flag = byName.get(normalize(rawName));
      if (!flag) throw new FlagError(`unknown flag: --${rawName}`);
      if (eq !== -1) {
        checkValue(flag, `--${rawName}`, arg.slice(eq + 1));
        store(values, flag, arg.slice(eq + 1));
      } else if (flag.type === 'bool') {
        store(values, flag, 'true');
      } else if (flag.type === 'optString') {
        store(values, flag, '');
      } else if (i + 1 < args.length) {
        checkValue(flag, `--${rawName}`, args[i + 1]);
        store(values, flag, args[++i]);
      } else {
        throw new FlagError(`flag needs an argument: --${rawName}`);
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      // Shorthand group: -yi, -fFILE, -f FILE, -f=FILE.
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j];
        const flag = byShort.get(c);
        if (!flag) throw new FlagError(`unknown shorthand flag: '${c}' in ${arg}`);
        let rest = arg.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (flag.type === 'bool') {
          if (arg[j + 1] === '=') {
            checkValue(flag, c, rest);
            store(values, flag, rest);
            break;
          }
          store(values, flag, 'true');
          continue;
        }
        if (rest !== '') {
          checkValue(flag, c, rest);
          store(values, flag, rest);
        } else if (i + 1 < args.length) {
          checkValue(flag, c, args[i + 1]);
          store(values, flag, args[++i]);
        } else {
          throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}

/** The usage block cobra prints after a flag error: the command's flags, then the global ones. */
export function usageText(use, flags) {
  const globals = new Set(GLOBAL.map((f) => f.name));
  const line = (f) => `      ${f.short ? `-${f.short}, ` : '    '}--${f.name}`;
  const local = flags.filter((f) => !globals.has(f.name)).map(line);
  const global = flags
    .filter(
      (f) => globals.has(f.name) && !['logtostderr', 'alsologtostderr', 'log_dir', 'help'].includes(f.name),
    )
    .map(line);
  return `Usage:\n  ${use} [flags]\n\nFlags:\n${local.join('\n')}\n\nGlobal Flags:\n${global.join('\n')}\n\n`;
}
