import type { Evaluation, Level } from '../policy/types.js';
import type { AuditEventFields, EventSizes } from './audit-event.js';

/**
 * What one recorded event would take in the log under another policy's decision, following
 * k8s.io/apiserver/pkg/audit/request.go and the log backend (research/audit.md "Levels and stages"):
 * - level None: no event at all; a stage in omitStages: that stage's event is not written;
 * - below Request the requestObject is not logged, below RequestResponse the responseObject is not;
 * - omitManagedFields strips metadata.managedFields from logged objects (and list items, Table rows)
 *   but not from a patch request body, which is logged as the raw patch (LogRequestPatch);
 * - the `level` field itself changes; each event is one line, so its newline counts.
 * The recorded event can only shrink: when the policy gives a higher level than the input was
 * recorded at, the bodies it would add are not in the input and the estimate is a lower bound.
 */

export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  None: 0,
  Metadata: 1,
  Request: 2,
  RequestResponse: 3,
};

export interface SimulatedEvent {
  /** Whether the event is written at all. */
  written: boolean;
  /** Bytes in the log, newline included (0 when not written). */
  bytes: number;
  /** The input was recorded at a lower level than the policy's: bodies are missing from the estimate. */
  lowerBound: boolean;
}

const NOT_WRITTEN: SimulatedEvent = Object.freeze({ written: false, bytes: 0, lowerBound: false });

export function levelRank(level: string | undefined): number | undefined {
  return level !== undefined && Object.hasOwn(LEVEL_RANK, level) ? LEVEL_RANK[level as Level] : undefined;
}

export function simulateEvent(
  event: AuditEventFields,
  sizes: EventSizes,
  evaluation: Pick<Evaluation, 'level' | 'omitStages' | 'omitManagedFields'>,
): SimulatedEvent {
  const bytes = writtenBytes(event, sizes, evaluation);
  if (bytes < 0) return NOT_WRITTEN;
  return { written: true, bytes, lowerBound: isLowerBound(event, evaluation.level) };
}

/** simulateEvent's bytes without an object per event: -1 when the event is not written. */
export function writtenBytes(
  event: AuditEventFields,
  sizes: EventSizes,
  evaluation: Pick<Evaluation, 'level' | 'omitStages' | 'omitManagedFields'>,
): number {
  const level = evaluation.level;
  if (level === 'None') return -1;
  if (event.stage !== undefined && (evaluation.omitStages as readonly string[]).includes(event.stage)) {
    return -1;
  }
  const rank = LEVEL_RANK[level];
  let bytes = sizes.total + 1;
  if (event.level !== undefined) bytes += level.length - event.level.length;
  const keepsRequest = rank >= LEVEL_RANK.Request;
  const keepsResponse = rank >= LEVEL_RANK.RequestResponse;
  if (!keepsRequest) bytes -= sizes.requestObject;
  if (!keepsResponse) bytes -= sizes.responseObject;
  if (evaluation.omitManagedFields) {
    if (keepsRequest && event.verb !== 'patch') bytes -= sizes.requestManagedFields;
    if (keepsResponse) bytes -= sizes.responseManagedFields;
  }
  return bytes;
}

/** simulateEvent's lowerBound for a written event. */
export function isLowerBound(event: AuditEventFields, level: Level): boolean {
  const rank = LEVEL_RANK[level];
  const recorded = levelRank(event.level);
  // Bodies exist only for resource requests (objectRef); non-resource events never carry them.
  return (
    event.objectRef !== undefined &&
    recorded !== undefined &&
    recorded < rank &&
    recorded < LEVEL_RANK.RequestResponse
  );
}
