import { readdirSync, readFileSync } from 'node:fs';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../schema';

// One file per aggregate: a table is written from its own file, so whoever changes how a table
// is written finds every write in one place. The few writes that cross an aggregate are one
// statement or one transaction by design; each is named here with its reason.
const WRITES: Record<string, string[]> = {
  'addresses.ts': ['addresses'],
  'api-tokens.ts': ['api_tokens'],
  'attachments.ts': ['attachments'],
  'audit-events.ts': ['audit_events'],
  // A status notification moves its delivery and its address's health with the stored report.
  'bounces.ts': ['addresses', 'bounce_reports', 'deliveries'],
  'call-list.ts': ['call_list_marks'],
  'classes.ts': ['classes'],
  'confirmations.ts': ['confirmations'],
  // Claiming marks the message as sending in the same statement.
  'deliveries.ts': ['deliveries', 'messages'],
  'districts.ts': ['districts'],
  'households.ts': ['households'],
  'message-schedules.ts': ['message_schedules'],
  'message-templates.ts': ['message_templates'],
  // Fan-out creates the message's roster snapshot and deliveries; a due schedule moves on to its
  // next run in the transaction that turns it into a message.
  'messages.ts': ['deliveries', 'message_schedules', 'message_students', 'messages'],
  'push-subscriptions.ts': ['push_subscriptions'],
  'rate-limits.ts': ['rate_limits'],
  'registration-tokens.ts': ['registration_tokens'],
  'registrations.ts': ['registrations'],
  'schools.ts': ['schools'],
  'sessions.ts': ['sessions'],
  'staff-users.ts': ['staff_users'],
  'students.ts': ['students'],
};

/** The schema's tables by their export name (what drizzle calls take) and by their SQL name. */
const tableNameOf = new Map<string, string>(
  Object.entries(schema).flatMap(([name, value]) =>
    is(value, PgTable) ? [[name, getTableName(value)] as const] : [],
  ),
);
const sqlTableNames = new Set(tableNameOf.values());

/** The tables a source file writes, by drizzle's builders or in raw SQL. */
function tablesWrittenBy(source: string): string[] {
  const written = new Set<string>();
  for (const [, name] of source.matchAll(/\.(?:insert|update|delete)\((\w+)\)/g)) {
    written.add(tableNameOf.get(name!) ?? `unknown table ${name}`);
  }
  // `for update` locks and `do update set` are no table; only the schema's names count.
  for (const [, name] of source.matchAll(/\b(?:insert into|update|delete from)\s+([a-z_]+)/g)) {
    if (sqlTableNames.has(name!)) written.add(name!);
  }
  return [...written].sort();
}

const here = new URL('.', import.meta.url);
const queryFiles = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('queries layout', () => {
  it.each(queryFiles)('%s writes only its own aggregate', (file) => {
    const source = readFileSync(new URL(file, here), 'utf8');
    expect(tablesWrittenBy(source)).toEqual(WRITES[file] ?? []);
  });

  it('names only files that exist, and every table is written from some file', () => {
    expect(queryFiles).toEqual(expect.arrayContaining(Object.keys(WRITES)));
    const owned = new Set(Object.values(WRITES).flat());
    expect([...sqlTableNames].filter((table) => !owned.has(table))).toEqual([]);
  });

  it('sees a write in either form', () => {
    expect(tablesWrittenBy('db.update(students).set({})')).toEqual(['students']);
    expect(tablesWrittenBy('sql`update students s set x = 1 for update skip locked`')).toEqual([
      'students',
    ]);
    expect(tablesWrittenBy('sql`select 1 from students for update`')).toEqual([]);
  });
});
