// What every benchmark hands back to the runner: tables for people, data for
// the JSON file, and the targets it measured.
import type { Table } from './table.js';

export interface TargetResult {
  readonly target: string;
  /** What was measured, with units. */
  readonly measured: string;
  /** undefined: could not be measured (the reason is in `measured`). */
  readonly pass: boolean | undefined;
}

export interface BenchResult {
  readonly name: string;
  readonly tables: Table[];
  readonly targets: TargetResult[];
  readonly data: unknown;
  readonly errors: string[];
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
