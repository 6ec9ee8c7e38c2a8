// The parents' services live in @renraku/core; their SvelteKit glue (pages.ts) stays here.
export * from '@renraku/core/parents';
