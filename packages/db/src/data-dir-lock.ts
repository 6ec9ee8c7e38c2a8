import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OperatorError } from '@renraku/shared/process';

// PGlite's files may be opened by one process at a time: a second one (the CLI while
// `pnpm start` runs) does not get an error but a WebAssembly `RuntimeError: Aborted()`, and may
// damage the database. So whoever opens the embedded database holds a pid file beside it.

/** The pid file in DATA_DIR, held while a process has the embedded database open. */
export const LOCK_FILE = 'pglite.pid';

/** The embedded database is open in another, running process. */
export class DatabaseInUseError extends OperatorError {
  override name = 'DatabaseInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by a running Renraku process (pid ${pid}), ` +
        'probably `pnpm start`. It can be opened by one process at a time: stop that process ' +
        'first (Ctrl-C in its terminal, or `kill ' +
        pid +
        '`), or set DATABASE_URL to use PostgreSQL, which any number of processes can share.',
    );
  }
}

/**
 * The lock files this process holds. A file naming this process's pid that is not among them
 * was left by an earlier process with the same pid: a container's entry point is pid 1 on
 * every start, also after a `kill -9`.
 */
const held = new Set<string>();

/** Whether a process with this pid exists (EPERM: it does, under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the embedded database in `dataDir` for this process, or throws DatabaseInUseError.
 * A pid file left by a killed process (its pid no longer alive) is taken over. Returns the
 * release, which removes the file only while it is still ours.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = resolve(join(dataDir, LOCK_FILE));
  // Written whole under a name of our own, then linked into place: link() fails if the file
  // exists, so two processes starting at once cannot both win, and no one reads half a file.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        held.add(file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = holderOf(file);
        const ours = pid === process.pid;
        if (pid !== undefined && (ours ? held.has(file) : isAlive(pid))) {
          throw new DatabaseInUseError(dataDir, pid);
        }
        // Stale (or garbled): remove it and try once more.
        if (attempt > 0) throw new DatabaseInUseError(dataDir, pid ?? 0);
        rmSync(file, { force: true });
      }
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return () => {
    if (!held.delete(file)) return;
    if (holderOf(file) === process.pid) rmSync(file, { force: true });
  };
}
