import { sql, type SQL } from 'drizzle-orm';
import type { MessagePart } from '@renraku/shared';

/**
 * `and school = … and class = …` for the part of a filter that narrows, over the columns a
 * query names its school and class by; nothing for the board's whole district.
 */
export function partConditions(filter: MessagePart, school: SQL, klass: SQL): SQL {
  return sql`${filter.schoolId === undefined ? sql`` : sql`and ${school} = ${filter.schoolId}`}
    ${filter.classId === undefined ? sql`` : sql`and ${klass} = ${filter.classId}`}`;
}
