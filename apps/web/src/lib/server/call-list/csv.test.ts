import { describe, expect, it } from 'vitest';
import type { CallList } from '@renraku/core/call-list';
import { t } from '../../i18n';
import { callListCsv, callListCsvHeaders } from './csv';

const list: CallList = {
  message: {
    id: 7,
    category: 'emergency_contact',
    subject: '臨時休校',
    state: 'done',
    createdAt: '2026-04-06T23:00:00.000Z',
  },
  mustCall: true,
  households: 3,
  school: null,
  schools: [],
  generatedAt: '2026-04-06T23:30:00.000Z',
  actionNeeded: [
    {
      schoolId: 1,
      schoolName: '第一小学校',
      classId: 12,
      grade: 2,
      className: '1組',
      rows: [
        {
          householdId: 102,
          reason: null,
          answer: { choice: 2, label: 'けががあります', needsCall: true },
          addressFailing: false,
          children: [{ name: '木村 次郎', kana: 'きむら じろう', grade: 2, className: '1組' }],
          phones: [{ label: '父', number: '090-3333-4444' }],
          mark: null,
          markedBy: null,
          markedAt: null,
        },
      ],
    },
  ],
  groups: [
    {
      schoolId: 1,
      schoolName: '第一小学校',
      classId: 11,
      grade: 1,
      className: '1組',
      rows: [
        {
          householdId: 100,
          reason: 'failed',
          answer: null,
          addressFailing: true,
          children: [
            { name: '大野 五郎', kana: 'おおの ごろう', grade: 1, className: '1組' },
            { name: '大野 花子', kana: 'おおの はなこ', grade: 3, className: '2組' },
          ],
          phones: [{ label: '母', number: '090-1111-2222' }],
          mark: 'reached',
          markedBy: '=HYPERLINK("x")',
          markedAt: '2026-04-06T23:15:00.000Z',
        },
        {
          householdId: 101,
          reason: 'unregistered',
          answer: null,
          addressFailing: false,
          children: [{ name: '井上 一郎', kana: 'いのうえ いちろう', grade: 1, className: '1組' }],
          phones: [],
          mark: null,
          markedBy: null,
          markedAt: null,
        },
      ],
    },
  ],
};

const linesOf = (csv: string) => csv.slice(1, -2).split('\r\n');

describe('callListCsv', () => {
  it('writes the page’s words in Japanese, Japan time, a BOM and CRLF line ends', () => {
    const csv = callListCsv(list, 'ja');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(linesOf(csv)).toEqual([
      '学校,学年,組,児童氏名,ふりがな,理由,回答,電話番号,対応状況,対応者,対応日時',
      // A family whose answer needs a call comes first, as on the page, with no reason.
      '第一小学校,2,1組,木村 次郎（2年1組）,きむら じろう,,けががあります,父 090-3333-4444,,,',
      `第一小学校,1,1組,大野 五郎（1年1組）、大野 花子（3年2組）,おおの ごろう、おおの はなこ,配信失敗（アドレス不達）,,母 090-1111-2222,連絡済み,"'=HYPERLINK(""x"")",2026/04/07 08:15`,
      '第一小学校,1,1組,井上 一郎（1年1組）,いのうえ いちろう,未登録,,,,,',
    ]);
  });

  it('names reasons and marks exactly as the page does, in English too', () => {
    const [, , first, second] = linesOf(callListCsv(list, 'en'));
    expect(first).toContain(`${t('en', 'live.mark.reached')},`);
    expect(first).toContain(`${t('en', 'live.callList.reason.failed')} (address dead)`);
    expect(first).toContain('"07/04/2026, 08:15"');
    expect(second).toContain(`,${t('en', 'live.callList.reason.unregistered')},`);
  });
});

describe('callListCsvHeaders', () => {
  it('names the download in the language, with an ASCII fallback', () => {
    const headers = callListCsvHeaders(7, 'ja');
    expect(headers['content-disposition']).toBe(
      `attachment; filename="call-list-7.csv"; filename*=UTF-8''${encodeURIComponent('電話連絡リスト_7.csv')}`,
    );
    expect(headers['cache-control']).toBe('no-store');
  });
});
