// Bulk writes go in chunks so that a 20,000-row roster stays within PostgreSQL's parameter limit
// and one transaction.

const CHUNK = 1000;

export function chunksOf<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) chunks.push(rows.slice(i, i + CHUNK));
  return chunks;
}
