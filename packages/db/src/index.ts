export { createDb, rowsOf, type Db, type DbHandle, type DbOptions, type Tx } from './client';
export * as schema from './schema';
