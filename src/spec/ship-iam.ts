/**
 * The IAM statements an AWS destination needs, merged into `spec.additionalPolicies` as text: kops
 * adds the statements of `additionalPolicies[KEY]` (a JSON array, as a string) to the IAM role of
 * the nodes of that role (pkg/model/iam.go). kops-audit's statement is known by its Sid, inserted
 * after the last statement already there and removed as exactly the text it inserted, so that the
 * statements someone else wrote keep every byte.
 *
 * Least privilege, from fluent-bit's cloudwatch_logs plugin: it calls CreateLogStream and
 * PutLogEvents, CreateLogGroup only with auto_create_group and PutRetentionPolicy only with
 * log_retention_days (the X-Amz-Target headers of plugins/out_cloudwatch_logs/cloudwatch_api.c;
 * the "Permissions" section of pipeline/outputs/cloudwatch.md lists the same). It never calls
 * DescribeLogStreams (the old Go `cloudwatch` plugin did), so that is not granted.
 *
 * From its s3 plugin, with `use_put_object on` as kops-audit sets it: PutObject only (the
 * "Permissions" section of pipeline/outputs/s3.md lists s3:PutObject; plugins/out_s3/s3.c sends
 * one PUT per file and no multipart calls then), on the bucket's objects under the prefix.
 */
import { SpecError } from '../errors.js';
import type { ShipTarget } from './ship-target.js';

export const SHIP_STATEMENT_SID = 'KopsAuditShipAuditLog';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

/** The AWS partition of a region: the ARNs of China and GovCloud differ. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The statements the destination needs on the instance role, or none when it is not on AWS. */
export function shipStatements(target: ShipTarget): IamStatement[] {
  if (target.kind === 's3') {
    // use_put_object: one PutObject per file, never a multipart upload (which would also want
    // s3:AbortMultipartUpload). The key prefix ends in `/` (or is empty), so PREFIX* is that folder.
    const arn = `arn:${partitionOf(target.region)}:s3:::${target.bucket}/${target.prefix}*`;
    return [{ Sid: SHIP_STATEMENT_SID, Effect: 'Allow', Action: ['s3:PutObject'], Resource: [arn] }];
  }
  if (target.kind !== 'cloudwatch') return [];
  const actions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  if (target.createGroup) actions.unshift('logs:CreateLogGroup');
  // The group's ARN with `:*` covers the group and its streams (log-group:NAME:log-stream:STREAM).
  const arn = `arn:${partitionOf(target.region)}:logs:${target.region}:*:log-group:${target.logGroup}:*`;
  return [{ Sid: SHIP_STATEMENT_SID, Effect: 'Allow', Action: actions, Resource: [arn] }];
}

/** The statements as kops-audit writes them: each on its lines, two spaces in, after a newline. */
function fragment(statements: readonly IamStatement[]): string {
  return statements.map((s) => `\n${JSON.stringify(s, null, 2).replace(/^/gm, '  ')}`).join(',');
}

/**
 * A whole additionalPolicies value holding only kops-audit's statements. It has no final line break
 * (`|-` in YAML), unlike the same statements inserted into a list of someone's that was empty (`[]`
 * on its line), so that disable can tell the two apart and give that empty list back.
 */
function ownValue(statements: readonly IamStatement[]): string {
  return `[${fragment(statements)}\n]`;
}

export function parseStatementList(value: string, where: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new SpecError(
      `${where} is not valid JSON, so kops would refuse it too: ${(error as Error).message}.`,
      {
        hint: 'Fix the JSON (a list of IAM statements), then run the command again.',
      },
    );
  }
  if (!Array.isArray(parsed)) {
    throw new SpecError(`${where} is not a JSON list of IAM statements, so kops would refuse it too.`, {
      hint: 'Write the statements as a JSON list: [ {"Effect": "Allow", ...} ].',
    });
  }
  return parsed;
}

const isOurs = (statement: unknown) =>
  typeof statement === 'object' &&
  statement !== null &&
  (statement as { Sid?: unknown }).Sid === SHIP_STATEMENT_SID;

/** kops-audit's statements in a value, as written. */
export function ourStatements(value: string | undefined, where: string): IamStatement[] {
  if (value === undefined) return [];
  return parseStatementList(value, where).filter(isOurs) as IamStatement[];
}

/**
 * `value` without kops-audit's statements: undefined when nothing else is left of a value kops-audit
 * created. The exact text enable inserted is cut out; a value someone reformatted since is parsed
 * and written again without them.
 */
export function withoutOurStatements(value: string, where: string): string | undefined {
  const ours = ourStatements(value, where);
  if (ours.length === 0) return value;
  if (value === ownValue(ours)) return undefined;
  const inserted = `,${fragment(ours)}`;
  if (value.includes(inserted)) return value.replace(inserted, '');
  if (value.includes(`${fragment(ours)}\n`)) return value.replace(`${fragment(ours)}\n`, '');
  const rest = parseStatementList(value, where).filter((s) => !isOurs(s));
  return rest.length === 0 ? undefined : `${JSON.stringify(rest, null, 2)}\n`;
}

/** `value` (or nothing) with `statements` in it, replacing kops-audit's earlier ones. */
export function withOurStatements(
  value: string | undefined,
  statements: readonly IamStatement[],
  where: string,
): string {
  const base = value === undefined ? undefined : withoutOurStatements(value, where);
  if (base === undefined) return ownValue(statements);
  const close = base.lastIndexOf(']');
  let at = close;
  while (at > 0 && /\s/.test(base[at - 1]!)) at--;
  const empty = base[at - 1] === '[';
  const insert = empty ? `${fragment(statements)}\n` : `,${fragment(statements)}`;
  return base.slice(0, at) + insert + base.slice(at);
}
