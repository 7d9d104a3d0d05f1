/**
 * After `kops replace` and `kops get`, kops prints the Cluster again with sorted keys, no comments and
 * literal blocks (shared/research/kops.md §4). kops-audit must recognise its setup in that form:
 * a second enable changes nothing and disable still removes everything it added.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { planDisable, planEnable } from '../../../src/plan/plan.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import { basicPolicy, exampleSpec, kubeconfig } from '../spec/fixtures.js';

/** The Cluster document as `kops get cluster -o yaml` would print it. */
function asKopsPrintsIt(text: string): string {
  const cluster = parseAllDocuments(text, { version: '1.1' })[0]!.toJS();
  return stringify(cluster, { sortMapEntries: true, lineWidth: 0, blockQuote: 'literal', indentSeq: false });
}

describe('enable, then kops get, then enable or disable again', () => {
  const options = {
    source: '-',
    policy: basicPolicy,
    backend: 'log,webhook' as const,
    webhookConfig: kubeconfig,
    kopsVersion: parseKopsVersion('1.28.0')!,
  };

  it('a second enable on kops-printed output changes nothing', () => {
    const printed = asKopsPrintsIt(planEnable(exampleSpec, options).after);
    expect(printed).toContain('content: |');
    const again = planEnable(printed, options);
    expect(again.changed).toBe(false);
  });

  it('disable on kops-printed output removes every field and asset enable added', () => {
    const printed = asKopsPrintsIt(planEnable(exampleSpec, options).after);
    const disabled = planDisable(printed, { source: '-' }).after;
    expect(disabled).not.toContain('audit');
    expect(disabled).toBe(asKopsPrintsIt(exampleSpec));
  });
});
