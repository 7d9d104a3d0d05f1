/**
 * The part of a Plan (src/plan/, owned by the offline core) that cluster mode reads. Kept structural so
 * apply/ depends on the shape, not on how the plan was computed: the command passes a closure over
 * `planEnable`/`planDisable` with the user's settings.
 */
export interface PlanChange {
  action: 'add' | 'update' | 'remove';
  target: string;
  before?: string;
  after?: string;
}

export interface ClusterPlan {
  action: 'enable' | 'disable';
  /** The spec text given to the planner and the text to write (may hold credentials). */
  before: string;
  after: string;
  changed: boolean;
  changes: PlanChange[];
  /** Unified diff with credentials masked. */
  diff: string;
  warnings: string[];
}

/** The kops version fields the planner's version rules read. */
export interface PlannerKopsVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Plan the change of `specText` (the Cluster, then its InstanceGroups) for this kops version. */
export type PlanFn = (specText: string, source: string, kopsVersion: PlannerKopsVersion) => ClusterPlan;
