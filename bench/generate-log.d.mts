export interface SyntheticLogOptions {
  seed?: number;
  /** Stop after about this many bytes. */
  bytes?: number;
  /** First request time, ms since the epoch. */
  start?: number;
  ratePerSecond?: number;
}
export function auditLogLines(options?: SyntheticLogOptions): Generator<string>;
export function writeAuditLog(file: string, options?: SyntheticLogOptions): Promise<void>;
/** A seeded generator of numbers in [0, 1) (mulberry32): the same sequence on every machine. */
export function prng(seed: number): () => number;
