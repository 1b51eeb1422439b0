/**
 * A module's retention rule for the housekeeper: it deletes rows of the module's own tables (its SQL
 * stays in its repository), at most `batch` a run, and answers how many. Safe on every instance at
 * once (each picks its rows with SKIP LOCKED).
 */
export interface ModulePurge {
  what: string;
  run(batch: number): Promise<number>;
}
