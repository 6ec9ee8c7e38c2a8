import { describe, expect, it } from 'vitest';
import { MESSAGE_CATEGORIES } from './domain';
import { SEED_TEMPLATES, TEMPLATE_LANGUAGES } from './template-seed';
import { textFault } from './text';

const SLOT = /\{([^{}]*)\}/g;
const SLOT_TYPES = ['date', 'time', 'school', 'text'];

/** Every slot name written in a text, in order, repeats kept. */
function slotsIn(text: string): string[] {
  return [...text.matchAll(SLOT)].map((match) => match[1] ?? '');
}

const variants = SEED_TEMPLATES.flatMap((template) =>
  TEMPLATE_LANGUAGES.map((language) => ({ template, language })),
);

describe('the seeded template catalogue', () => {
  it('holds the nine kinds of the leaflet, each key and name once', () => {
    expect(SEED_TEMPLATES).toHaveLength(9);
    expect(new Set(SEED_TEMPLATES.map((t) => t.key)).size).toBe(SEED_TEMPLATES.length);
    expect(new Set(SEED_TEMPLATES.map((t) => t.name)).size).toBe(SEED_TEMPLATES.length);
    for (const template of SEED_TEMPLATES) expect(template.key).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
  });

  it('files each template under a category of the system, as the leaflet groups them', () => {
    const categoryOf = Object.fromEntries(SEED_TEMPLATES.map((t) => [t.name, t.category]));
    for (const category of Object.values(categoryOf))
      expect(MESSAGE_CATEGORIES).toContain(category);
    expect(categoryOf).toEqual({
      '臨時休業（気象警報等）': 'emergency_contact',
      始業時刻の繰り下げ: 'emergency_contact',
      '事件・事故（警察等からの要請）': 'emergency_info',
      クマ等の目撃: 'emergency_info',
      '不審者・変質者': 'emergency_info',
      '学校・学年・学級閉鎖': 'emergency_contact',
      学校行事の順延: 'education_info',
      '月例の教育情報・テスト配信': 'education_info',
      '引き渡し（保護者への児童生徒の引き渡し）': 'emergency_contact',
    });
  });

  it('carries every template language, and no other', () => {
    for (const template of SEED_TEMPLATES) {
      expect(Object.keys(template.variants).sort()).toEqual([...TEMPLATE_LANGUAGES].sort());
    }
  });

  it('declares its slots with a known type', () => {
    for (const template of SEED_TEMPLATES) {
      expect(Object.keys(template.slots).length).toBeGreaterThan(0);
      for (const [name, type] of Object.entries(template.slots)) {
        expect(name).toMatch(/^[^{}\s]+$/u);
        expect(SLOT_TYPES).toContain(type);
      }
    }
  });

  it.each(variants.map((v) => [v.template.key, v.language, v] as const))(
    '%s (%s) holds exactly the slots of its template',
    (_key, _language, { template, language }) => {
      const { subject, body } = template.variants[language];
      const used = new Set([...slotsIn(subject), ...slotsIn(body)]);
      expect([...used].sort()).toEqual(Object.keys(template.slots).sort());
      // A brace outside a well-formed slot would be sent as it is, or eaten by the filler.
      expect(`${subject}\n${body}`.replace(SLOT, '')).not.toMatch(/[{}]/);
    },
  );

  it.each(variants.map((v) => [v.template.key, v.language, v] as const))(
    '%s (%s) has a one-line subject of at most 60 characters and clean text',
    (_key, _language, { template, language }) => {
      const { subject, body } = template.variants[language];
      expect(subject.trim()).toBe(subject);
      expect(subject.length).toBeGreaterThan(0);
      expect([...subject.replace(SLOT, '')].length).toBeLessThanOrEqual(60);
      // The same rule as for what staff type: no controls, no bidi overrides; a body may
      // break lines, a subject may not.
      expect(textFault(subject, { multiline: false })).toBeNull();
      expect(textFault(body, { multiline: true })).toBeNull();
      expect(body).not.toMatch(/[\t\r\u2028\u2029]/);
      expect(`${subject}${body}`).not.toMatch(/\p{Cf}/u);
      // No emoji: feature phones and ISO-2022-JP mail cannot show them.
      expect(`${subject}${body}`).not.toMatch(/\p{Extended_Pictographic}/u);
      expect(body.trim()).toBe(body);
      expect(body).not.toMatch(/\n{3}/);
      expect(body).not.toMatch(/[ \u3000]$/mu);
    },
  );

  it('keeps the Japanese originals short and polite enough for a phone at 6 a.m.', () => {
    for (const template of SEED_TEMPLATES) {
      const { subject, body } = template.variants.ja;
      // Counted with the slots as written: the original is what staff see in the picker.
      expect([...subject].length).toBeLessThanOrEqual(40);
      expect(body.split('\n').length).toBeLessThanOrEqual(12);
      expect(body).toMatch(/(?:ます|です|ください)。/u);
    }
  });

  it('writes Chinese in simplified characters and Vietnamese with its diacritics', () => {
    // Traditional forms of characters these texts use, and their simplified counterparts.
    const traditional = /[們來學時請與後將發們讓關聯絡個對車輛門氣間經辦聲]/u;
    for (const template of SEED_TEMPLATES) {
      const zh = template.variants['zh-Hans'];
      expect(`${zh.subject}${zh.body}`.replace(SLOT, '')).not.toMatch(traditional);
      const vi = template.variants.vi;
      expect(`${vi.subject}${vi.body}`).toMatch(
        /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u,
      );
    }
  });

  it('writes やさしい日本語 as plain text, without ruby markup', () => {
    for (const template of SEED_TEMPLATES) {
      const { subject, body } = template.variants['ja-easy'];
      expect(`${subject}${body}`).not.toMatch(/[《》|｜]|<\/?ruby|<rt>/u);
      // One idea per sentence: short sentences (slots counted as written).
      for (const sentence of body.split(/[。\n]/u)) {
        expect([...sentence].length).toBeLessThanOrEqual(45);
      }
    }
  });
});
