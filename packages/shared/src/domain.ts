import { JST_OFFSET_MS } from './jst';

// Domain vocabulary shared by every process: the values stored in PostgreSQL and shown in the UI.

export const SCHOOL_KINDS = ['elementary', 'junior_high'] as const;
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

/** Highest grade per school kind: 小学校 1–6, 中学校 1–3. */
export const MAX_GRADE: Record<SchoolKind, number> = { elementary: 6, junior_high: 3 };

export const STUDENT_STATUSES = ['enrolled', 'graduated', 'transferred'] as const;
export type StudentStatus = (typeof STUDENT_STATUSES)[number];

export const STAFF_ROLES = ['board', 'school_admin', 'teacher'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Leaflet: guardians first, a child's own address only after a guardian's. */
export const ADDRESS_ROLES = ['guardian', 'child'] as const;
export type AddressRole = (typeof ADDRESS_ROLES)[number];
export const MAX_ADDRESSES_PER_REGISTRATION = 3;
/** Phones and tablets that get Web Push for one registration. */
export const MAX_PUSH_DEVICES_PER_REGISTRATION = 5;

export const ADDRESS_HEALTHS = ['active', 'failing', 'dead'] as const;
export type AddressHealth = (typeof ADDRESS_HEALTHS)[number];

export const MESSAGE_CATEGORIES = [
  'emergency_contact',
  'emergency_info',
  'education_info',
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

/**
 * Whether a parent's 「教育情報もメールで受け取る」 (registrations.education_mail) applies: only
 * 教育情報 may be declined by mail; emergencies go to every address the family has.
 */
export function mailMayBeDeclined(category: MessageCategory): boolean {
  return category === 'education_info';
}

/**
 * Claim order of a message's mails (lower first): a closure or an incident warning overtakes
 * school news that is already sending, instead of waiting behind its 30,000 mails.
 */
export const SENDING_PRIORITY: Record<MessageCategory, number> = {
  emergency_contact: 0,
  emergency_info: 0,
  education_info: 1,
};

export const MESSAGE_STATES = ['draft', 'queued', 'sending', 'done', 'cancelled'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/**
 * Delivery life: queued → sending → accepted (relay said 250) → delivered / delayed / bounced;
 * deferred (4xx, retried) and failed (5xx or retries exhausted) on the way.
 */
export const DELIVERY_STATES = [
  'queued',
  'sending',
  'deferred',
  'accepted',
  'delivered',
  'delayed',
  'bounced',
  'failed',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * How a delivery goes: a mail to an address, or a Web Push to a subscribed device. A push
 * ends at accepted (the push service took it) or failed; the states are the same words.
 */
export const DELIVERY_CHANNELS = ['mail', 'push'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** States in which the mail is not (or no longer) expected to reach the family. */
export const FAILED_DELIVERY_STATES = [
  'failed',
  'bounced',
] as const satisfies readonly DeliveryState[];
/**
 * States in which the mail reached the family's carrier: the relay took it (accepted) or a
 * delivery report confirmed it (delivered). Delayed is not reached: the relay still holds it
 * and may yet bounce it, so it counts as neither reached nor failed (still on its way).
 */
export const REACHED_DELIVERY_STATES = [
  'accepted',
  'delivered',
] as const satisfies readonly DeliveryState[];
/** One cell of a message's counts: deliveries of a school and class in one state. */
export interface CountCell {
  schoolId: number | null;
  classId: number | null;
  channel: DeliveryChannel;
  state: DeliveryState;
  n: number;
}
/** States a dispatcher still has work to do on. */
export const PENDING_DELIVERY_STATES = [
  'queued',
  'sending',
  'deferred',
] as const satisfies readonly DeliveryState[];

/**
 * Why a household is on a message's call list: no registration (未登録); registered, but every
 * address it has was already dead, so nothing was sent (アドレス不達); each mail failed or
 * bounced (配信失敗); or, for a message asking for confirmation, a mail reached it but nobody
 * confirmed, even after the re-send (未確認).
 */
export const CALL_LIST_REASONS = ['unregistered', 'address_dead', 'failed', 'unconfirmed'] as const;
export type CallListReason = (typeof CALL_LIST_REASONS)[number];

export const CALL_MARKS = ['calling', 'reached', 'no_answer', 'left_message'] as const;
export type CallMark = (typeof CALL_MARKS)[number];

export const TOKEN_PURPOSES = ['register', 'add_address', 'reset_password'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Who a message goes to; always checked against the author's scope on the server. */
export type MessageTarget =
  | { kind: 'district' }
  | { kind: 'schools'; schoolIds: number[] }
  | { kind: 'grades'; schoolId: number; grades: number[] }
  | { kind: 'classes'; classIds: number[] };

/** What a staff user may see and send to; derived from role on the server, never from the client. */
export type StaffScope =
  | { role: 'board'; districtId: number }
  | { role: 'school_admin'; districtId: number; schoolId: number }
  | { role: 'teacher'; districtId: number; schoolId: number; classId: number };

/** Japanese school year (年度) starts in April, in Japan's time zone whatever the server's. */
export function schoolYearOf(date: Date): number {
  const jst = new Date(date.getTime() + JST_OFFSET_MS);
  const year = jst.getUTCFullYear();
  return jst.getUTCMonth() < 3 ? year - 1 : year;
}

/**
 * The first run of a monthly schedule (day 1–28, "HH:MM" in Japan time) strictly after
 * `after`: the board's recurring mail goes out at the same local time every month.
 */
export function nextMonthlyRun(after: Date, dayOfMonth: number, timeOfDay: string): Date {
  const [hours = 0, minutes = 0] = timeOfDay.split(':').map(Number);
  const jst = new Date(after.getTime() + JST_OFFSET_MS);
  for (let month = jst.getUTCMonth(); ; month++) {
    const run = Date.UTC(jst.getUTCFullYear(), month, dayOfMonth, hours, minutes) - JST_OFFSET_MS;
    if (run > after.getTime()) return new Date(run);
  }
}
