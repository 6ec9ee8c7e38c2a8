// The staff services live in @renraku/core; the admin pages' SvelteKit glue stays here.
export * from '@renraku/core/staff';
export { holdUpload, uploadedFile, type HeldUpload, type HoldOwner } from './held-upload';
export { actorOf, idFrom, jstText, textFrom } from './http';
export { sheetTargetFrom } from './sheets';
