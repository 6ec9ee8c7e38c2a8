import { eq, sql } from 'drizzle-orm';
import { schema, type Db } from '@renraku/db';
import { confirmRequestOf } from '@renraku/shared';
import { hashPassword } from '@renraku/shared/password';
import {
  addFamilies,
  createClass,
  createDistrictWithClass,
  sendMessage,
} from '../dispatch/fixtures';
import { acceptedDeliveries } from '../confirmation/world';

// What the inbox suites share: two families of one school in two classes, the 青木 family with
// two registered children, and the messages they got before and after registering.

export const INBOX_PASSWORD = 'kaigara-hotate-77';

export async function inboxWorld(db: Db) {
  const { district, board, school, klass } = await createDistrictWithClass(db, 'みなと小学校');
  const otherClass = await createClass(db, school, 5, '2組');
  const {
    householdIds: [aoki = 0, inoue = 0],
  } = await addFamilies(db, [
    [
      { klass, name: '青木 一郎', addresses: ['aoki@docomo.ne.jp'] },
      { klass: otherClass, name: '青木 花子', addresses: ['aoki-mama@example.jp'] },
    ],
    [{ klass: otherClass, name: '井上 二郎', addresses: ['inoue@example.jp'] }],
  ]);
  const registrations = await db
    .select({ id: schema.registrations.id, loginId: schema.registrations.loginId })
    .from(schema.registrations)
    .orderBy(schema.registrations.id);
  const passwordHash = await hashPassword(INBOX_PASSWORD);
  await db.update(schema.registrations).set({
    passwordHash,
    createdAt: sql`now() - interval '1 hour'`,
  });

  const send = async (
    subject: string,
    extra: Partial<Parameters<typeof sendMessage>[1]> = {},
  ): Promise<number> => {
    const { id } = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'district' },
      subject,
      ...extra,
    });
    await acceptedDeliveries(db, id);
    return id;
  };
  // Sent before the families registered: not theirs to read.
  const before = await send('登録前のお知らせ', { confirm: null });
  await db
    .update(schema.messages)
    .set({ fannedOutAt: sql`now() - interval '2 hours'` })
    .where(eq(schema.messages.id, before));
  const news = await send('運動会の延期', {
    category: 'education_info',
    body: '運動会は来週に延期します。\n<b>雨天</b>の場合は & 連絡します。',
    confirm: null,
  });
  // Only 2組: the 青木 family through 花子, the 井上 family.
  const classNews = await send('2組の連絡', {
    category: 'education_info',
    target: { kind: 'classes', classIds: [otherClass.id] },
    confirm: null,
  });
  // Only 1組: not the 井上 family's.
  const firstClass = await send('1組の安否確認', {
    target: { kind: 'classes', classIds: [klass.id] },
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  });
  const safety = await send('臨時休校のお知らせ', {
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  });
  return {
    district,
    board,
    households: { aoki, inoue },
    classes: { first: klass.id, second: otherClass.id },
    logins: {
      ichiro: registrations[0]!.loginId,
      hanako: registrations[1]!.loginId,
      inoue: registrations[2]!.loginId,
    },
    messages: { before, news, classNews, firstClass, safety },
    send,
  };
}
