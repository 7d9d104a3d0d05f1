// Types for the test helpers of store.mjs (the emulator itself is plain JavaScript so it runs
// without a build step).
export interface KopsObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}
export interface EmulatedCloud {
  appliedGeneration: number;
  appliedSpec?: Record<string, unknown>;
  instanceGroups: Record<string, { running: number; target: number }>;
}
export function toKopsYaml(object: unknown): string;
export function parseObjects(text: string): KopsObject[];
export function readCluster(stateDir: string, name: string): KopsObject | undefined;
export function writeCluster(stateDir: string, cluster: KopsObject): void;
export function readInstanceGroups(stateDir: string, name: string): KopsObject[];
export function readCloud(stateDir: string, name: string): EmulatedCloud;
export function minimalCluster(name: string, stateDir: string): KopsObject;
export function seedCluster(
  stateDir: string,
  name: string,
  options?: { apiserver?: boolean; cluster?: KopsObject },
): KopsObject;
export function ensureExecutable(file: string): void;
