import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'renraku-lock-unit-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const lockFile = () => join(dataDir, LOCK_FILE);

describe('lockDataDir', () => {
  it('writes its pid, refuses a second opener in the same process, and releases', () => {
    const release = lockDataDir(dataDir);
    expect(readFileSync(lockFile(), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockDataDir(dataDir)).toThrow(DatabaseInUseError);
    release();
    expect(existsSync(lockFile())).toBe(false);
    lockDataDir(dataDir)();
  });

  it('takes over a file with its own pid that it never wrote: a container restarted as pid 1', () => {
    writeFileSync(lockFile(), `${process.pid}\n`);
    const release = lockDataDir(dataDir);
    expect(readFileSync(lockFile(), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });

  it('refuses a live other process and leaves its file alone', () => {
    // The parent of this test process is alive and is not this process.
    writeFileSync(lockFile(), `${process.ppid}\n`);
    expect(() => lockDataDir(dataDir)).toThrow(
      expect.objectContaining({ name: 'DatabaseInUseError', pid: process.ppid }),
    );
    expect(readFileSync(lockFile(), 'utf8')).toBe(`${process.ppid}\n`);
  });
});
