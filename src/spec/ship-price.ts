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
  if (target.kind === 's3') {
    return {
      usdPerGb: 0.023,
      source:
        'S3 Standard storage, us-east-1 list price as of 2026: $0.023/GB-month for the first 50 TB, each GB counted for the one month it is kept (uploads are free; objects are gzip-compressed, so this is an upper bound; PUT requests $0.005 per 1,000, about 288 a day per node; aws.amazon.com/s3/pricing)',
    };
  }
  if (target.kind === 'stackdriver') {
    return {
      // $0.50 per GiB; a GB here is 10^9 bytes.
      usdPerGb: Math.round((0.5 / 1.073741824) * 1000) / 1000,
      source:
        'Cloud Logging list price as of 2026: $0.50/GiB ingested into log buckets ($0.466 per 10^9 bytes), 30 days kept, first 50 GiB a project a month free (cloud.google.com/stackdriver/pricing, price in effect since July 1, 2018)',
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

/**
 * Why a destination has no list price here, for the message that asks for --price-per-gb (none
 * found for these when the prices were gathered: say so rather than invent one).
 */
export function whyNoListPrice(target: ShipTarget): string {
  if (target.kind === 'logdna') return 'Mezmo publishes no per-GB list price kops-audit could check';
  if (target.kind === 'splunk')
    return 'Splunk Cloud ingest is priced by quote, and a self-run Splunk costs what it costs you';
  if (target.kind === 'elasticsearch')
    return 'Elastic Cloud prices capacity, not GB ingested, and a self-run cluster costs what its storage costs';
  return 'a self-run endpoint costs what its storage costs';
}

/** `--price-per-gb N` as given: a number of US dollars, 0 or more. */
export function priceFromFlag(value: string): ShipPrice | undefined {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return { usdPerGb: Number(value), source: 'given with --price-per-gb' };
}
