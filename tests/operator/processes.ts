import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The operator's commands as an operator types them (`pnpm start`, `pnpm cli …`), as child
// processes of this checkout with an environment of their own.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running command: everything it printed so far, and how it ended. */
export interface RunningCommand {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr interleaved, as a terminal shows them. */
  output(): string;
  stderr(): string;
  /** Resolves once the output matches; rejects if the command exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment a command gets: PATH and HOME (pnpm needs them) and the given variables. */
function environment(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    // pnpm's "update available" box is about pnpm, not about us.
    npm_config_update_notifier: 'false',
    ...env,
  };
}

export function startCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
): RunningCommand {
  const child = spawn(command, args, { cwd: ROOT, env: environment(env) });
  let output = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: string) => {
    output += chunk;
    for (const check of waiters) check();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    onData(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 180_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
        void exited.then(({ code, signal }) => {
          if (!waiters.has(check)) return;
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`exited (${code ?? signal}) before ${pattern}; output:\n${output}`));
        });
      });
    },
  };
}

/** Runs a command to its end. */
export async function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; stderr: string }> {
  const running = startCommand(command, args, env);
  running.child.stdin.end();
  const { code } = await running.exited;
  // 'exit' can come before the last of the output: wait for the streams to close.
  await new Promise((resolve) =>
    running.child.stdout.closed ? resolve(null) : running.child.stdout.once('close', resolve),
  );
  return { code, output: running.output(), stderr: running.stderr() };
}

/** `pnpm cli …` */
export function cli(args: string[], env: Record<string, string>) {
  return runCommand(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], env);
}
