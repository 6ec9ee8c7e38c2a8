import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '@renraku/db';
import { ROOT } from './processes';

// The bench's output: one table on stdout and bench/results.json. Each figure is either a
// ratio or a count that another machine reproduces, or an absolute labelled "this machine".

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  postgres: string;
}

export async function describeMachine(db: Db): Promise<Machine> {
  const [pg] = rowsOf<{ version: string }>(
    await db.execute(sql`select current_setting('server_version') as version`),
  );
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgres: pg?.version ?? 'unknown',
  };
}

/** One line of the table: what was measured, the figure, and how to read it. */
export interface Row {
  section: string;
  figure: string;
  value: string;
  note?: string;
}

export class Report {
  readonly rows: Row[] = [];
  readonly results: Record<string, unknown> = {};

  add(section: string, figure: string, value: string | number, note?: string): void {
    this.rows.push({ section, figure, value: String(value), ...(note ? { note } : {}) });
  }

  set(key: string, value: unknown): void {
    this.results[key] = value;
  }

  print(): void {
    const width = (pick: (row: Row) => string) => Math.max(...this.rows.map((r) => pick(r).length));
    const [a, b, c] = [width((r) => r.section), width((r) => r.figure), width((r) => r.value)];
    const line = '-'.repeat(a + b + c + 40);
    console.log(`\n${line}`);
    for (const row of this.rows) {
      console.log(
        `${row.section.padEnd(a)}  ${row.figure.padEnd(b)}  ${row.value.padStart(c)}  ${row.note ?? ''}`,
      );
    }
    console.log(line);
  }

  /**
   * Writes bench/results.json with the table. `only` keeps the rest of an earlier run's file
   * and replaces just these keys (`pnpm bench:faults` after a full `pnpm bench`).
   */
  write(only?: { key: string; tableKey: string }): void {
    const file = `${ROOT}bench/results.json`;
    let content: Record<string, unknown> = { ...this.results, table: this.rows };
    if (only && existsSync(file)) {
      const earlier = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      content = { ...earlier, [only.key]: this.results[only.key], [only.tableKey]: this.rows };
    }
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** "this machine" label for absolute figures. */
export const HERE = '(this machine)';

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A progress line, with the time of day. */
export function log(text: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
}
