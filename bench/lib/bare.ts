import type { BareLoopInput, BareLoopResult } from '../bare-loop';
import { sampleMemory, startChild } from './processes';

export type BareResult = BareLoopResult & { peakRssMiB: number };

/** Runs bench/bare-loop.ts as its own process and returns its result and peak RSS. */
export async function runBareLoop(input: BareLoopInput): Promise<BareResult> {
  const child = startChild(
    'bare-loop',
    process.execPath,
    ['--import', 'tsx', 'bench/bare-loop.ts'],
    {
      BARE_LOOP: JSON.stringify(input),
    },
  );
  const memory = sampleMemory(child.pid);
  const code = await child.exited;
  const { peakRssMiB } = memory.stop();
  const last = child.lines.filter((line) => line.startsWith('{')).at(-1);
  if (code !== 0 || !last) {
    throw new Error(`bare loop failed (${code}):\n${child.lines.slice(-20).join('\n')}`);
  }
  return { ...(JSON.parse(last) as BareLoopResult), peakRssMiB };
}
