import type { Diagnostic } from '../errors.js';
import { LEVELS, type Policy, STAGES } from './types.js';
import { versionRules } from './version.js';

/**
 * kube-apiserver's policy validation (k8s.io/apiserver pkg/apis/audit/validation/validation.go, and
 * the zero-rules check of pkg/audit/policy/reader.go), every error in one pass, in the order
 * kube-apiserver reports them. Field paths index `resources` (kube-apiserver writes
 * `rules[i].resources.group`), so that each error points at one line.
 */

export interface ValidateOptions {
  /** kube-apiserver version to validate for (default: the newest we know). */
  kubernetesVersion?: string;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MAX = 253;

const LEVEL_LIST = LEVELS.map((level) => `"${level}"`).join(', ');
const STAGE_LIST = STAGES.join(',');

export function validatePolicy(policy: Policy, options: ValidateOptions = {}): Diagnostic[] {
  const rules = versionRules(options.kubernetesVersion);
  const diagnostics: Diagnostic[] = [];
  const error = (code: string, field: string, message: string, fix?: string) =>
    diagnostics.push({ severity: 'error', code, field, message, ...(fix ? { fix } : {}) });

  validateStages(policy.omitStages, 'omitStages', error);

  (policy.rules ?? []).forEach((rule, i) => {
    const at = `rules[${i}]`;
    const level = rule.level as string | undefined;
    if (level === undefined || level === '') {
      error('LEVEL_REQUIRED', `${at}.level`, 'Required value', `add a level: one of ${LEVELS.join(', ')}`);
    } else if (!(LEVELS as readonly string[]).includes(level)) {
      const caseFix = LEVELS.find((l) => l.toLowerCase() === level.toLowerCase());
      error(
        'LEVEL_UNSUPPORTED',
        `${at}.level`,
        `Unsupported value: "${level}": supported values: ${LEVEL_LIST}`,
        caseFix ? `write "${caseFix}" (levels are case-sensitive)` : `use one of ${LEVELS.join(', ')}`,
      );
    }

    (rule.nonResourceURLs ?? []).forEach((url, j) => {
      if (url === '*') return;
      const field = `${at}.nonResourceURLs[${j}]`;
      if (!url.startsWith('/')) {
        error(
          'NONRESOURCE_URL_NOT_ABSOLUTE',
          field,
          `Invalid value: "${url}": non-resource URL rules must begin with a '/' character`,
          url === '' ? 'remove the empty entry' : `write "/${url}"`,
        );
      }
      if (url !== '' && url.slice(0, -1).includes('*')) {
        error(
          'NONRESOURCE_URL_WILDCARD',
          field,
          `Invalid value: "${url}": non-resource URL wildcards '*' must be the final character of the rule`,
          `use a prefix ending in '*', e.g. "${url.slice(0, url.indexOf('*'))}*"`,
        );
      }
    });

    (rule.resources ?? []).forEach((entry, j) => {
      const group = entry?.group ?? '';
      if (group === '*') {
        if (!rules.groupWildcard) {
          error(
            'GROUP_WILDCARD_UNSUPPORTED',
            `${at}.resources[${j}].group`,
            `Invalid value: "*": group "*" (every API group) is accepted from Kubernetes 1.36; kube-apiserver ${rules.version} refuses it`,
            'list the groups, or omit `resources` to match every resource',
          );
        }
      } else if (group !== '') {
        const problems = dns1123SubdomainProblems(group);
        if (problems.length > 0) {
          const slash = group.indexOf('/');
          error(
            'GROUP_INVALID',
            `${at}.resources[${j}].group`,
            `Invalid value: "${group}": ${problems.join(',')}`,
            slash > 0
              ? `write the group without its version: "${group.slice(0, slash)}"`
              : 'write the API group name in lower case, e.g. "apps" or "rbac.authorization.k8s.io" ("" is the core group)',
          );
        }
      }
      if ((entry?.resourceNames ?? []).length > 0 && (entry?.resources ?? []).length === 0) {
        error(
          'RESOURCE_NAMES_WITHOUT_RESOURCES',
          `${at}.resources[${j}].resourceNames`,
          'Invalid value: using resourceNames requires at least one resource',
          'add `resources: [...]` to this entry',
        );
      }
    });

    validateStages(rule.omitStages, `${at}.omitStages`, error);

    if (
      (rule.nonResourceURLs ?? []).length > 0 &&
      ((rule.resources ?? []).length > 0 || (rule.namespaces ?? []).length > 0)
    ) {
      error(
        'NONRESOURCE_URLS_WITH_RESOURCES',
        `${at}.nonResourceURLs`,
        'Invalid value: rules cannot apply to both regular resources and non-resource URLs',
        'split it into two rules: one with nonResourceURLs, one with resources/namespaces',
      );
    }
  });

  if ((policy.rules ?? []).length === 0) {
    error(
      'NO_RULES',
      'rules',
      'loaded illegal policy with 0 rules',
      'add at least one rule, e.g. `- level: Metadata`',
    );
  }
  return diagnostics;
}

function validateStages(
  stages: readonly string[] | undefined,
  field: string,
  error: (code: string, field: string, message: string, fix?: string) => void,
): void {
  (stages ?? []).forEach((stage, i) => {
    if ((STAGES as readonly string[]).includes(stage)) return;
    const caseFix = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
    error(
      'STAGE_UNSUPPORTED',
      `${field}[${i}]`,
      `Invalid value: "${stage}": allowed stages are ${STAGE_LIST}`,
      caseFix ? `write "${caseFix}" (stages are case-sensitive)` : `use one of ${STAGES.join(', ')}`,
    );
  });
}

/** k8s.io/apimachinery IsDNS1123Subdomain: the messages kube-apiserver joins with ','. */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) {
    problems.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return problems;
}
