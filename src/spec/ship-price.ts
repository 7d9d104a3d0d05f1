/**
 * What shipping the audit log costs per GB ingested, by destination: list prices, each with where
 * it comes from and when, for `simulate --ship-to` (overridden by `--price-per-gb`). A GB here is
 * 10^9 bytes of audit log as kube-apiserver writes it (the destinations bill what they receive,
 * which the added `cluster` and `node` fields and their own framing make a little more).
 */
import type { ShipTarget } from './ship-target.js';

export interface ShipPrice {
  /** US dollars per GB ingested. */
  usdPerGb: number;
  /** Where the price comes from, for the output. */
  source: string;
}

/** The list price of a destination's ingestion, or undefined when it has none (a self-run endpoint). */
export function listPrice(target: ShipTarget): ShipPrice | undefined {
  if (target.kind === 'cloudwatch') {
    return {
      usdPerGb: 0.5,
      source:
        'CloudWatch Logs ingestion, Standard log class, us-east-1 list price as of 2026 (aws.amazon.com/cloudwatch/pricing; other regions differ, e.g. $0.76 in ap-northeast-1; storage $0.03/GB-month comes on top)',
    };
  }
  if (target.kind === 'loki' && target.host.endsWith('.grafana.net')) {
    return {
      usdPerGb: 0.45,
      source:
        'Grafana Cloud Logs list price as of 2026: $0.40/GB written + $0.05/GB processed, 30 days kept, first 50 GB a month free (grafana.com/docs/grafana-cloud/cost-management-and-billing, logs invoice)',
    };
  }
  return undefined;
}

/** `--price-per-gb N` as given: a number of US dollars, 0 or more. */
export function priceFromFlag(value: string): ShipPrice | undefined {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return { usdPerGb: Number(value), source: 'given with --price-per-gb' };
}
