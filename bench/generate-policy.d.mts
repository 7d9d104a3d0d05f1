import type { Policy } from '../src/policy/types.js';

export interface LargePolicyOptions {
  /** How many rules (default 300). */
  rules?: number;
  seed?: number;
}
export function largePolicy(options?: LargePolicyOptions): Policy;
export function largePolicyText(options?: LargePolicyOptions): string;
