import type { MessageCategory } from './domain';

// Words the system adds to what people typed: the category tag in front of a subject and the
// honorific after a name. Each rule lives here once, so a mail, a page and a preview agree.

/** Phones show the subject first: the category in front tells an emergency at a glance. */
export const CATEGORY_TAG: Readonly<Record<MessageCategory, string>> = {
  emergency_contact: '【緊急連絡】',
  emergency_info: '【緊急情報】',
  education_info: '【教育情報】',
};

/** Spaces a subject may start with: ASCII, full-width (U+3000) and the like. */
const LEADING_SPACE = /^[\s\u3000]+/u;

/**
 * One leading tag: 【…】, or […] / ［…］ / 〔…〕, which authors type for the same thing; the
 * name inside may be padded with spaces. Group 1 is the name.
 */
const LEADING_TAG =
  /^(?:【|\[|［|〔)[\s\u3000]*([^【】[\]［］〔〕]*?)[\s\u3000]*(?:】|\]|］|〕)[\s\u3000]*/u;

/**
 * The subject parents get and staff see: the category's tag once, in front. A leading tag the
 * author typed that names the same category (in any of the bracket forms above, repeated or
 * not) is that tag and is written once, canonically; any other text, including other tags and
 * the category's name further on, stays as typed, after the category's tag.
 */
export function finalSubject(category: MessageCategory, subject: string): string {
  const tag = CATEGORY_TAG[category];
  const name = tag.slice(1, -1);
  let rest = subject.replace(LEADING_SPACE, '');
  for (let match = LEADING_TAG.exec(rest); match?.[1] === name; match = LEADING_TAG.exec(rest)) {
    rest = rest.slice(match[0].length);
  }
  return `${tag}${rest}`;
}

/**
 * Endings that already are an honorific or a title that is used as one (「佐々木先生」,
 * 「田村教頭」): a name ending in one of them gets no さん after it.
 */
const HONORIFIC_ENDINGS = [
  'さん',
  'さま',
  '様',
  '殿',
  '氏',
  'くん',
  '君',
  'ちゃん',
  '先生',
  '校長',
  '教頭',
  '主幹',
  '教諭',
  '主任',
  '主事',
  '事務長',
  '課長',
  '係長',
  '部長',
  '室長',
  '教育長',
] as const;

/**
 * A person's name as the system addresses them in Japanese: the name as entered (trimmed),
 * with さん after it unless it already ends in an honorific or a title.
 */
export function withHonorific(name: string): string {
  const trimmed = name.replace(LEADING_SPACE, '').replace(/[\s\u3000]+$/u, '');
  return HONORIFIC_ENDINGS.some((ending) => trimmed.endsWith(ending)) ? trimmed : `${trimmed}さん`;
}

/** The name of the service, as the sender of mails that concern no one school. */
export const SERVICE_SENDER_NAME = '学校緊急連絡メール';

/**
 * The sender name of the system's own mails to a parent: the school's name when the mail is
 * about a registration with that school (the registration reply, the completion mail), so
 * both come from the same sender; the service's name otherwise.
 */
export function parentMailSender(schoolName?: string | null): string {
  return schoolName?.trim() || SERVICE_SENDER_NAME;
}

/** The school's tag in front of the subject of a mail about a registration: 【○○小学校】. */
export function schoolTag(schoolName: string): string {
  return `【${schoolName.trim()}】`;
}
