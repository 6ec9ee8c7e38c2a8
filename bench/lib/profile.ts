import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes';

// Where the dispatcher's CPU time goes: self time per function from node's --cpu-prof
// output, grouped by module (a workspace file, an npm package, or node's internals).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Wall time of the window, and the part of it the process was busy (not idle). */
  wallMs: number;
  busyMs: number;
  /** Share of busy time by module, largest first. */
  modules: { module: string; ms: number; share: number }[];
  /**
   * The same with node's internals and native code (socket writes, crypto) charged to the
   * package or workspace file that called them: which part of the pipeline costs what.
   */
  callers: { module: string; ms: number; share: number }[];
  /** The functions with the most self time. */
  functions: { fn: string; module: string; ms: number; share: number }[];
}

/** The module a frame belongs to: a package name, a workspace path, or a V8/node category. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  if (packaged?.[1]) return packaged[1];
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** Now on the monotonic clock V8's profiles are stamped with (µs), in any process. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Summarises the main thread's profile in `dir` (tsx's loader thread writes its own) over
 * `window`, in monotonicMicros(): the send, not the start-up.
 */
export function summariseProfile(
  dir: string,
  window: { fromUs: number; toUs: number },
  top = 15,
): ProfileSummary {
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is thread 0.
  const file = readdirSync(dir).find((name) =>
    /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name),
  );
  if (!file) throw new Error(`no main-thread .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let atUs = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    atUs += delta;
    if (atUs < window.fromUs || atUs > window.toUs) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const moduleOfNode = (id: number) => {
    const frame = byId.get(id)?.callFrame;
    return frame ? moduleOf(frame.url, frame.functionName) : '(unknown)';
  };
  const runtime = (module: string) => module === 'node:internal' || module.startsWith('(');
  /** The nearest frame up the stack that is not node's or V8's own. */
  const callerOf = (id: number): string => {
    const own = moduleOfNode(id);
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const module = moduleOfNode(at);
      if (!runtime(module)) return module;
    }
    return own;
  };
  const functions = new Map<string, { fn: string; module: string; us: number }>();
  const modules = new Map<string, number>();
  const callers = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const module = moduleOf(frame.url, frame.functionName);
    const fn = `${frame.functionName || '(anonymous)'}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    const key = `${module} ${fn}`;
    const entry = functions.get(key) ?? { fn, module, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    modules.set(module, (modules.get(module) ?? 0) + us);
    const caller = callerOf(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 1000);
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([module, us]) => ({ module, ms: ms(us), share: share(us) }));
  return {
    wallMs: ms(window.toUs - window.fromUs),
    busyMs: ms(busyUs),
    modules: ranked(modules),
    callers: ranked(callers),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ fn, module, us }) => ({ fn, module, ms: ms(us), share: share(us) })),
  };
}
