// Client-safe exports only: node-only helpers live behind their own subpaths
// (@renraku/shared/crypto, /password, /bus, /env, /logger).
export * from './domain';
export * from './events';
export * from './figures';
export * from './jst';
export * from './schemas';
export * from './kana';
export * from './text';
export * from './phone';
export * from './mailboxes';
export * from './words';
export * from './scope';
export * from './service-error';
export * from './confirmation';
export * from './audit';
export * from './attachments';
export * from './template-seed';
export * from './templates';
