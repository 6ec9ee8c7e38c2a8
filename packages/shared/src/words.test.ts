import { describe, expect, it } from 'vitest';
import { CATEGORY_TAG, finalSubject, withHonorific } from './words';

describe('finalSubject', () => {
  it('puts the category tag in front of a subject without one', () => {
    expect(finalSubject('emergency_contact', '臨時休校')).toBe('【緊急連絡】臨時休校');
    expect(finalSubject('emergency_info', '不審者情報')).toBe('【緊急情報】不審者情報');
    expect(finalSubject('education_info', '運動会の延期')).toBe('【教育情報】運動会の延期');
  });

  it('does not double a tag of the same category that the author typed', () => {
    expect(finalSubject('emergency_contact', '【緊急連絡】【臨時休校】大雪')).toBe(
      '【緊急連絡】【臨時休校】大雪',
    );
    expect(finalSubject('emergency_contact', '【緊急連絡】臨時休校')).toBe('【緊急連絡】臨時休校');
  });

  it('reads the other bracket forms, spaces and repeats as that tag and writes it once, canonically', () => {
    expect(finalSubject('emergency_contact', '  [緊急連絡] 臨時休校')).toBe('【緊急連絡】臨時休校');
    expect(finalSubject('emergency_contact', '［緊急連絡］臨時休校')).toBe('【緊急連絡】臨時休校');
    expect(finalSubject('emergency_contact', '〔緊急連絡〕臨時休校')).toBe('【緊急連絡】臨時休校');
    expect(finalSubject('emergency_contact', '【 緊急連絡 】臨時休校')).toBe(
      '【緊急連絡】臨時休校',
    );
    expect(finalSubject('emergency_contact', '\u3000【緊急連絡】【緊急連絡】臨時休校')).toBe(
      '【緊急連絡】臨時休校',
    );
  });

  it('keeps a tag of another category or any other tag, after the category’s own', () => {
    expect(finalSubject('emergency_contact', '【緊急情報】クマ出没')).toBe(
      '【緊急連絡】【緊急情報】クマ出没',
    );
    expect(finalSubject('emergency_contact', '【臨時休校】大雪')).toBe(
      '【緊急連絡】【臨時休校】大雪',
    );
    // Only a leading tag counts: the category's name later in the subject is the author's text.
    expect(finalSubject('emergency_contact', '臨時休校【緊急連絡】')).toBe(
      '【緊急連絡】臨時休校【緊急連絡】',
    );
    expect(finalSubject('emergency_contact', '緊急連絡 臨時休校')).toBe(
      '【緊急連絡】緊急連絡 臨時休校',
    );
  });

  it('always starts with the category tag, exactly once', () => {
    for (const [category, tag] of Object.entries(CATEGORY_TAG)) {
      const subject = finalSubject(category as keyof typeof CATEGORY_TAG, `${tag}${tag}件名`);
      expect(subject).toBe(`${tag}件名`);
      expect(finalSubject(category as keyof typeof CATEGORY_TAG, subject)).toBe(subject);
    }
  });
});

describe('withHonorific', () => {
  it('adds さん to a bare name', () => {
    expect(withHonorific('佐藤')).toBe('佐藤さん');
    expect(withHonorific('学校教育課 佐藤')).toBe('学校教育課 佐藤さん');
    expect(withHonorific('山田 花子')).toBe('山田 花子さん');
  });

  it('adds nothing to a name that already ends in an honorific or a title', () => {
    for (const name of [
      '佐々木先生',
      '田村教頭',
      '鈴木校長',
      '高橋副校長',
      '伊藤主幹教諭',
      '渡辺教諭',
      '中村 さん',
      '小林様',
      '加藤さま',
      '吉田殿',
      '山本 先生',
    ]) {
      expect(withHonorific(name), name).toBe(name);
    }
  });

  it('ignores white space around the name', () => {
    expect(withHonorific(' 佐藤\u3000')).toBe('佐藤さん');
    expect(withHonorific('佐々木先生 ')).toBe('佐々木先生');
  });
});
