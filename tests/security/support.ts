import { schema } from '@renraku/db';
import { createTestDatabase } from '@renraku/db/testing';
import { createLoginStaff } from '../support/staff';
import { startTestWeb } from '../support/web';

// The security probes' world: the built web on a fresh database with one district and a board
// member (board.sato, the tests' staff password) who can log in.

export async function startProbeWeb(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const { db } = database.handle;
  const [district] = await db
    .insert(schema.districts)
    .values({ code: 'minato', name: 'みなと市教育委員会' })
    .returning({ id: schema.districts.id });
  const districtId = district!.id;
  const addBoard = (login: string) =>
    createLoginStaff(db, { districtId, login, role: 'board', displayName: '佐藤' });
  const board = await addBoard('board.sato');
  const { web, base } = await startTestWeb(database, { env });
  return {
    database,
    db,
    web,
    base,
    board,
    addBoard,
    async close() {
      await web.close();
      await database.drop();
    },
  };
}

export type ProbeWeb = Awaited<ReturnType<typeof startProbeWeb>>;
