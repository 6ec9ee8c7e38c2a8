import { describe, expect, it } from 'vitest';
import { SUBJECT_MAX } from '@renraku/shared';
import { PUSH_BODY_LINE_MAX, PUSH_OPTIONS, firstLine, pushPayload } from './payload';

describe('pushPayload', () => {
  it('titles the notification as the mail is subjected, with the body first line', () => {
    const payload = pushPayload(
      {
        id: 7,
        category: 'education_info',
        subject: '［教育情報］運動会の延期',
        body: '運動会は来週に延期します。\n\n雨天のためです。',
      },
      'https://renraku.example.jp/account/inbox',
    );
    expect(payload).toEqual({
      title: '【教育情報】運動会の延期',
      body: '運動会は来週に延期します。',
      url: 'https://renraku.example.jp/account/inbox',
      tag: 'message-7',
    });
  });

  it('cuts a long first line on a character, and the longest message stays well under 4 KB', () => {
    const line = '𠮷'.repeat(PUSH_BODY_LINE_MAX + 50);
    const cut = firstLine(`${line}\n続き`);
    expect(Array.from(cut)).toHaveLength(PUSH_BODY_LINE_MAX);
    expect(cut.endsWith('𠮷…')).toBe(true);
    expect(firstLine('短い一行')).toBe('短い一行');
    const payload = pushPayload(
      {
        id: 2_147_483_647,
        category: 'emergency_info',
        subject: '緊'.repeat(SUBJECT_MAX),
        body: line,
      },
      `https://renraku.example.jp/c/${'z'.repeat(24)}`,
    );
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(2048);
  });
});

describe('PUSH_OPTIONS', () => {
  it('wakes the phone for emergencies for a day; education news at normal urgency for three', () => {
    expect(PUSH_OPTIONS.emergency_contact).toEqual({ ttlSeconds: 86_400, urgency: 'high' });
    expect(PUSH_OPTIONS.emergency_info).toEqual({ ttlSeconds: 86_400, urgency: 'high' });
    expect(PUSH_OPTIONS.education_info).toEqual({ ttlSeconds: 259_200, urgency: 'normal' });
  });
});
