/** The fan-out cursor: every event id up to `lastId` was scanned, except `gaps` (id, first missed at, ms). */
export interface CursorState {
  lastId: number;
  gaps: [number, number][];
}

/** More missing ids than this at once are not tracked (a sequence jump, not open transactions). */
export const MAX_GAPS = 10_000;

/**
 * Event ids come from a sequence at insert, so a transaction holding id 7 may commit after the one
 * holding 8: a cursor that only remembered "scanned up to 8" would never see 7. This one remembers
 * each id it has not seen below its high-water mark (a gap) and looks for it again on every pass,
 * until it shows up or `gapWaitMs` passes (then it was rolled back, or never used). `ids` are the
 * ids just read (ascending): new ones above `lastId` and gaps that have now committed.
 */
export function advanceCursor(state: CursorState, ids: readonly number[], now: number, gapWaitMs: number): { next: CursorState; expired: number[] } {
  const gaps = new Map(state.gaps);
  let lastId = state.lastId;
  for (const id of ids) {
    if (id <= lastId) {
      gaps.delete(id);
      continue;
    }
    for (let missing = lastId + 1; missing < id && gaps.size < MAX_GAPS; missing += 1) gaps.set(missing, now);
    lastId = id;
  }
  const expired: number[] = [];
  for (const [id, since] of gaps) {
    if (now - since > gapWaitMs) {
      gaps.delete(id);
      expired.push(id);
    }
  }
  return { next: { lastId, gaps: [...gaps] }, expired };
}
