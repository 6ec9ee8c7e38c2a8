// The layering of the workspace, checked by `pnpm lint:deps` (part of `pnpm check`): apps sit on
// packages, packages never on apps, the domain core on db and shared only, and no import circle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle makes its modules one unit: none can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'apps-not-each-other',
      severity: 'error',
      comment: 'Apps are doors onto the packages; only apps/embedded (one process) composes them.',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/embedded/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'packages-not-apps',
      severity: 'error',
      comment: 'Packages are what the apps share; an app inside one would drag its door along.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'db-not-core',
      severity: 'error',
      comment: 'The domain core uses the database layer, never the other way round.',
      from: { path: '^packages/db/' },
      to: { path: '^packages/core/' },
    },
    {
      name: 'shared-alone',
      severity: 'error',
      comment: 'packages/shared is the bottom layer: it imports no other workspace package.',
      from: { path: '^packages/shared/' },
      to: { path: '^packages/', pathNot: '^packages/shared/' },
    },
    {
      name: 'core-on-db-and-shared',
      severity: 'error',
      comment: 'The domain core builds on db and shared only, so every door can run it.',
      from: { path: '^packages/core/' },
      to: { path: '^(apps|packages)/', pathNot: '^packages/(core|db|shared)/' },
    },
    {
      name: 'web-server-and-src-apart',
      severity: 'error',
      comment:
        'The web server and the SvelteKit app meet in packages, or through the #server/* and #auth/* subpath imports of apps/web/package.json, not by relative path.',
      from: { path: '^apps/web/(server|src)/' },
      to: {
        dependencyTypes: ['local'],
        // A subpath import names its target in package.json, so a move breaks it loudly.
        dependencyTypesNot: ['aliased-subpath-import'],
        path: '^apps/web/(server|src)/',
        pathNot: '^apps/web/$1/',
      },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports and that imports nothing is dead code.',
      from: {
        orphan: true,
        // Entry points that node --import, vitest or SvelteKit load by name.
        pathNot: [
          '\\.d\\.ts$',
          '(^|/)[^/]+\\.config\\.(c|m)?(js|ts)$',
          '^apps/web/src/routes/',
          '^apps/web/scripts/',
        ],
      },
      to: {},
    },
  ],
  options: {
    // Type-only imports count: a circle through types is still a circle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    doNotFollow: { path: 'node_modules' },
    // SvelteKit's virtual modules ($app, $env, $service-worker) and generated route types have
    // no file to resolve to.
    exclude: {
      path: [
        '^\\$(app|env)/',
        '^\\$service-worker$',
        '/\\$types$',
        '(^|/)(dist|build|\\.svelte-kit)/',
      ],
    },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'svelte', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'svelte'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
