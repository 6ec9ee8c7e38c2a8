import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DISPATCHER_BUNDLE } from '@renraku/dispatcher/launch';
import { WEB_BUILD_HANDLER } from '@renraku/web/build';

// Build once, start many. `vite build` empties apps/web/build before writing it, and a
// running web loads its route chunks from there lazily; so starting a process never builds
// (a second `pnpm start:web` would leave the first answering 500). `pnpm build` is its own
// step; only `pnpm start` on a fresh clone, with nothing built yet, builds first.
//
//   prebuilt.ts web | dispatcher   exit 1 with the reason when that build is missing
//   prebuilt.ts --build-missing    run `pnpm build` when the web's build is missing

const BUILDS = {
  web: { file: WEB_BUILD_HANDLER, what: 'the web app' },
  dispatcher: { file: DISPATCHER_BUNDLE, what: 'the dispatcher bundle' },
} as const;

function main(arg: string | undefined): number {
  if (arg === '--build-missing') {
    // `pnpm start` runs the dispatcher from source: only the web's build matters to it.
    if (existsSync(BUILDS.web.file)) return 0;
    return spawnSync('pnpm', ['build'], { stdio: 'inherit' }).status ?? 1;
  }
  const build = arg === 'web' || arg === 'dispatcher' ? BUILDS[arg] : undefined;
  if (!build) {
    console.error('usage: prebuilt.ts web | dispatcher | --build-missing');
    return 2;
  }
  if (existsSync(build.file)) return 0;
  console.error(
    `error: ${build.what} is not built (${build.file} is missing): run \`pnpm build\` first.`,
  );
  return 1;
}

process.exitCode = main(process.argv[2]);
