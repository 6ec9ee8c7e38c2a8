import { describe, expect, it } from 'vitest';
import type { AnswerList } from '@renraku/core/confirmation';
import { answersCsv, answersCsvHeaders } from './answers-csv';

describe('answersCsv', () => {
  const list = (replyWords: string | null): AnswerList => ({
    message: { id: 7, category: 'emergency_contact', subject: '【緊急連絡】臨時休校' },
    confirm: {
      preset: 'safety',
      choices: ['無事です', 'けががあります'],
      needsCall: [2],
      deadlineMinutes: 30,
    },
    households: 1,
    rows: [
      {
        householdId: 1,
        schoolName: '湊第一小学校',
        children: [{ name: '青木 一郎', kana: 'あおき いちろう', grade: 1, className: '1組' }],
        choice: 2,
        label: 'けががあります',
        needsCall: true,
        channel: 'reply',
        late: true,
        replyWords,
        firstConfirmedAt: '2026-04-06T23:10:00.000Z',
        confirmedAt: '2026-04-06T23:15:00.000Z',
      },
    ],
    school: null,
    generatedAt: '2026-04-06T23:20:00.000Z',
  });

  it('writes one row per household in Japan time, quoting what needs it', () => {
    const text = answersCsv(list('足を "少し" 切りました,\n迎えに行きます'), 'ja');
    expect(text.startsWith('\uFEFF学校,児童氏名,')).toBe(true);
    expect(text.split('\r\n')[1]).toBe(
      '湊第一小学校,青木 一郎（1年1組）,あおき いちろう,2,けががあります,要電話,2026/04/07 08:15,メール返信,締切後,"足を ""少し"" 切りました,\n迎えに行きます"',
    );
  });

  it('keeps a reply that starts like a formula as text', () => {
    expect(answersCsv(list('=HYPERLINK("x")'), 'ja')).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('writes the words in English for an English request', () => {
    const [header, row] = answersCsv(list(null), 'en').slice(1).split('\r\n');
    expect(header).toBe(
      'School,Children,Reading,Answer no.,Answer,Call needed,Answered at,Channel,After deadline,Reply text',
    );
    expect(row).toBe(
      '湊第一小学校,"青木 一郎 (grade 1, class 1組)",あおき いちろう,2,けががあります,Call needed,"07/04/2026, 08:15",Mail reply,After deadline,',
    );
  });
});

describe('answersCsvHeaders', () => {
  it('names the file 確認の回答_<id>.csv, with an ASCII fallback', () => {
    expect(answersCsvHeaders(7, 'ja')['content-disposition']).toBe(
      `attachment; filename="answers-7.csv"; filename*=UTF-8''${encodeURIComponent('確認の回答_7.csv')}`,
    );
  });
});
