import { sql } from 'drizzle-orm';
import { createMessage, rowsOf, type Db } from '@renraku/db';
import { schoolYearOf, type ConfirmRequest } from '@renraku/shared';
import { sealAddress, type Keys } from '@renraku/shared/crypto';
import { addressOf } from './addresses';

// A city for the bench, generated set-based: schools of 18 classes (6 grades × 3), one child
// per household, one registration per child, one address per registration, so that the
// recipients are exactly the registrations. Only the addresses are made in JavaScript:
// they must be AES-GCM sealed with the installation's key, as the dispatcher decrypts them.
// A city nothing is sent to (the call list's filler) may skip that: its addresses are placeholders.

/** Children per school; 30,000 recipients make 60 schools, 1,000,000 make 2,000. */
const CHILDREN_PER_SCHOOL = 500;
const CLASSES_PER_SCHOOL = 18;
/** Addresses sealed and inserted per statement. */
const ADDRESS_BATCH = 5000;

export interface BenchCity {
  districtId: number;
  boardId: number;
  recipients: number;
}

/**
 * Creates a district with `recipients` registered children; returns its ids. With `keys` null
 * the addresses are not sealed (a placeholder ciphertext, set-based): only for a city whose
 * mail is never sent.
 */
export async function createCity(
  db: Db,
  keys: Keys | null,
  recipients: number,
): Promise<BenchCity> {
  const schoolYear = schoolYearOf(new Date());
  const schoolCount = Math.ceil(recipients / CHILDREN_PER_SCHOOL);
  const tag = `b${Date.now().toString(36)}`;
  const [district] = rowsOf<{ id: number }>(
    await db.execute(sql`insert into districts (code, name)
      values (${tag}, 'ベンチ市教育委員会') returning id`),
  );
  const districtId = district!.id;
  const [board] = rowsOf<{ id: number }>(
    await db.execute(sql`insert into staff_users (district_id, login, password_hash, display_name, role)
      values (${districtId}, ${`${tag}-board`}, 'not-used', '教育委員会 ベンチ', 'board')
      returning id`),
  );
  await db.execute(sql`insert into schools
      (district_id, code, name, kind, registration_address, auth_code)
    select ${districtId}, ${tag} || '-' || g, 'ベンチ第' || g || '小学校', 'elementary',
      'touroku-' || ${tag} || '-' || g || '@renraku.test', 'ABCD2345'
    from generate_series(1, ${schoolCount}) g`);
  await db.execute(sql`insert into classes (district_id, school_id, school_year, grade, name)
    select s.district_id, s.id, ${schoolYear}, (k / 3) + 1, ((k % 3) + 1) || '組'
    from schools s, generate_series(0, ${CLASSES_PER_SCHOOL - 1}) k
    where s.district_id = ${districtId}`);
  // Child n sits in class n mod (all classes): every class gets its share. The class ids go
  // into one array first, so that each child finds its class by index, not by a join.
  const classOf = sql`with numbered as (
      select array_agg(id order by id) as ids from classes where district_id = ${districtId}
    )
    select g, c.id as class_id, c.school_id
    from numbered cross join generate_series(0, ${recipients - 1}) g
    join classes c on c.id = numbered.ids[g % array_length(numbered.ids, 1) + 1]`;
  await db.execute(sql`insert into households (district_id, school_id, household_key, phones)
    select ${districtId}, c.school_id, 'h' || c.g,
      jsonb_build_array(jsonb_build_object('label', '自宅',
        'number', '03-5555-' || lpad((c.g % 10000)::text, 4, '0')))
    from (${classOf}) c`);
  await db.execute(sql`insert into students
      (district_id, school_id, class_id, household_id, roster_number, name, kana)
    select ${districtId}, c.school_id, c.class_id, h.id, h.household_key, '児童' || c.g, 'じどう'
    from (${classOf}) c
    join households h on h.school_id = c.school_id and h.household_key = 'h' || c.g`);
  await db.execute(sql`insert into registrations
      (district_id, school_id, class_id, student_id, login_id, password_hash, child_name, child_kana)
    select district_id, school_id, class_id, id, 'bench-' || substr(roster_number, 2),
      'not-used', name, kana
    from students where district_id = ${districtId}`);
  if (keys === null) {
    await db.execute(sql`insert into addresses
        (district_id, registration_id, position, ciphertext, blind_index, carrier_domain)
      select district_id, id, 1, '\\x00'::bytea, md5(district_id || login_id), 'docomo.ne.jp'
      from registrations where district_id = ${districtId}`);
  }
  let after = 0;
  while (keys !== null) {
    const page = rowsOf<{ id: number; loginId: string }>(
      await db.execute(sql`select id, login_id as "loginId" from registrations
        where district_id = ${districtId} and id > ${after} order by id limit ${ADDRESS_BATCH}`),
    );
    const last = page.at(-1);
    if (!last) break;
    after = last.id;
    const sealed = page.map((row) => sealAddress(keys, addressOf(Number(row.loginId.slice(6)))));
    await db.execute(sql`insert into addresses
        (district_id, registration_id, position, ciphertext, blind_index, carrier_domain)
      select ${districtId}, v.id, 1, decode(v.ciphertext, 'hex'), v.blind_index, v.domain
      from unnest(
        ${sql.param(page.map((row) => row.id))}::int[],
        ${sql.param(sealed.map((address) => address.ciphertext.toString('hex')))}::text[],
        ${sql.param(sealed.map((address) => address.blindIndex))}::text[],
        ${sql.param(sealed.map((address) => address.carrierDomain))}::text[]
      ) as v(id, ciphertext, blind_index, domain)`);
  }
  // The fan-out's plan depends on fresh statistics, as it would have them in production.
  await db.execute(sql`analyze`);
  return { districtId, boardId: board!.id, recipients };
}

/**
 * A board's district-wide emergency contact, sent at once; `fanOutMs` is createMessage's time.
 * `confirm` asks the families to confirm (the confirmation burst); the other sections ask nothing.
 */
export async function sendToCity(
  db: Db,
  city: BenchCity,
  subject = '臨時休校のお知らせ',
  confirm: ConfirmRequest | null = null,
): Promise<{ messageId: number; fanOutMs: number }> {
  const started = performance.now();
  const { id } = await createMessage(db, {
    districtId: city.districtId,
    schoolId: null,
    authorId: city.boardId,
    category: 'emergency_contact',
    subject,
    body: [
      '保護者の皆様',
      '',
      '台風の接近に伴い、本日は市内すべての小中学校を臨時休校とします。',
      'お子さまは自宅で安全に過ごすようお願いします。',
      '明日の授業については、本日17時までに改めてお知らせします。',
    ].join('\n'),
    target: { kind: 'district' },
    scheduledAt: null,
    idempotencyKey: null,
    confirm,
  });
  return { messageId: id, fanOutMs: performance.now() - started };
}

/**
 * Settles a message as a finished send would leave it without sending it: mostly reached,
 * 1 in 40 failed, 1 in 25 still delayed.
 */
export async function settleSend(db: Db, messageId: number): Promise<void> {
  await db.execute(sql`update deliveries set
      state = (case when id % 40 = 0 then 'failed' when id % 25 = 0 then 'delayed'
        when id % 3 = 0 then 'delivered' else 'accepted' end)::delivery_state,
      attempts = 1, finished_at = now()
    where message_id = ${messageId}`);
  await db.execute(sql`update messages
    set state = 'done', started_at = now(), finished_at = now() where id = ${messageId}`);
}
