/**
 * `status` for the log shipper of `enable --ship-to`: where the audit log goes, and the checks that
 * need nothing but the spec (the files delivered to the nodes that run kube-apiserver, the tailed
 * path, the credentials, the IAM statement). Whether events arrive can only be seen at the
 * destination (docs/reference.md "Shipping the log").
 */
import { STATIC_POD_DIR } from './compat.js';
import type { ParsedSpec } from './document.js';
import type { AuditSetup, FileAssetView } from './read.js';
import { policyKeysOf, readShipSetup, shipStatementsInSpec } from './ship.js';
import { shipStatements } from './ship-iam.js';
import { manifestImage, tailedPath } from './ship-render.js';
import { CREDENTIALS_REQUIRED, parseShipTarget, type ShipTarget } from './ship-target.js';

export interface ShippingSummary {
  /** The `--ship-to` URL kops-audit recorded, if it can be read. */
  to?: string;
  image?: string;
  /** The file the shipper tails. */
  tails?: string;
  credentials: boolean;
}

export interface ShipCheck {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

const missingRoles = (asset: FileAssetView, needed: readonly string[]) =>
  asset.roles === undefined || asset.roles.length === 0
    ? []
    : needed.filter((r) => !asset.roles!.includes(r));

/** The shipper's summary and checks, or undefined when the spec has no kops-audit shipper. */
export function shipStatus(
  parsed: ParsedSpec,
  setup: AuditSetup,
  neededRoles: readonly string[],
  logPath: string | undefined,
  modeSupported: boolean,
): { summary: ShippingSummary; checks: ShipCheck[] } | undefined {
  const ship = readShipSetup(setup);
  if (!ship.manifest && !ship.config && !ship.parsers && !ship.credentials) return undefined;
  const checks: ShipCheck[] = [];
  const check = (id: string, title: string, ok: boolean, detail: string) =>
    checks.push({ id, title, ok, detail });
  const includesCredentials = /^@INCLUDE /m.test(ship.config?.content ?? '');
  const summary: ShippingSummary = { credentials: ship.credentials !== undefined };
  if (ship.shipTo !== undefined) summary.to = ship.shipTo;
  const image = manifestImage(ship.manifest?.content);
  if (image !== undefined) summary.image = image;
  const tails = tailedPath(ship.config?.content);
  if (tails !== undefined) summary.tails = tails;

  const files: [string, FileAssetView | undefined][] = [
    ['pod manifest', ship.manifest],
    ['configuration', ship.config],
    ['parsers', ship.parsers],
    ...(includesCredentials
      ? ([['credentials', ship.credentials]] as [string, FileAssetView | undefined][])
      : []),
  ];
  const absent = files.filter(([, asset]) => asset === undefined).map(([what]) => what);
  const short = files.flatMap(([what, asset]) =>
    asset && missingRoles(asset, neededRoles).length > 0
      ? [`${what} lacks ${missingRoles(asset, neededRoles).join(', ')}`]
      : [],
  );
  const inStaticPodDir = ship.manifest?.path?.startsWith(`${STATIC_POD_DIR}/`) ?? false;
  check(
    'ship-files-delivered',
    'shipper files reach every node role that runs kube-apiserver',
    absent.length === 0 && short.length === 0 && inStaticPodDir,
    absent.length > 0
      ? `no file asset for the ${absent.join(', ')}`
      : short.length > 0
        ? short.join('; ')
        : !inStaticPodDir
          ? `the pod manifest ${ship.manifest?.path} is not in the kubelet's static-pod directory ${STATIC_POD_DIR}`
          : `${files.length} files for ${neededRoles.join(', ')}; the pod manifest in ${STATIC_POD_DIR}`,
  );
  check(
    'ship-tails-log',
    'shipper tails the audit log kube-apiserver writes',
    tails !== undefined && tails === logPath,
    tails === undefined
      ? 'the configuration has no tail input path'
      : logPath === undefined
        ? `it tails ${tails}, but the spec has no auditLogPath`
        : tails === logPath
          ? tails
          : `it tails ${tails}, but auditLogPath is ${logPath}: run enable again to update the shipper`,
  );
  let target: ShipTarget | undefined;
  try {
    target = ship.shipTo === undefined ? undefined : parseShipTarget(ship.shipTo);
  } catch {
    target = undefined;
  }
  const required = target === undefined ? undefined : CREDENTIALS_REQUIRED[target.kind];
  if (includesCredentials || ship.credentials || required !== undefined) {
    const mode = ship.credentials?.mode;
    const ok = ship.credentials !== undefined && includesCredentials && (!modeSupported || mode === '0400');
    check(
      'ship-credentials',
      'shipper credentials are delivered, readable by root only',
      ok,
      !ship.credentials
        ? includesCredentials
          ? 'the configuration includes a credentials file that no file asset writes'
          : `${target?.url} needs ${required}, and there is no credentials file: run enable again with --ship-credentials FILE`
        : !includesCredentials
          ? 'a credentials file asset that the configuration does not include'
          : modeSupported && mode !== '0400'
            ? `mode ${mode ?? "kops' default 0440"}, not 0400`
            : `${ship.credentials.path}${mode ? `, mode ${mode}` : ''}`,
    );
  }
  const want = target === undefined ? undefined : shipStatements(target)[0];
  if (want !== undefined) {
    const found = shipStatementsInSpec(parsed);
    const keys = policyKeysOf(parsed);
    const lacking = keys.filter((key) => {
      const statement = found.get(key)?.[0];
      return (
        !statement ||
        !want.Action.every((action) => statement.Action.includes(action)) ||
        !want.Resource.every((resource) => statement.Resource.includes(resource))
      );
    });
    check(
      'ship-iam',
      target?.kind === 's3'
        ? 'IAM lets the control plane write under the bucket prefix'
        : 'IAM lets the control plane write to the log group',
      lacking.length === 0,
      lacking.length === 0
        ? `spec.additionalPolicies.${keys.join(', ')}: ${want.Action.join(', ')} on ${want.Resource.join(', ')}`
        : `spec.additionalPolicies.${lacking.join(', ')} lacks ${want.Action.join(', ')} on ${want.Resource.join(', ')}`,
    );
  }
  return { summary, checks };
}
