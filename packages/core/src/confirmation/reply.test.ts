import { describe, expect, it } from 'vitest';
import { confirmRequestOf } from '@renraku/shared';
import { ownTextOf, replyChoiceOf, replyWordsOf } from './reply';

const safety = confirmRequestOf('emergency_contact', { preset: 'safety' })!;
const ack = confirmRequestOf('emergency_contact', undefined)!;
const original = [
  '確認したら次のリンクを押してください。',
  'https://renraku.example.jp/c/abc',
  '返信で番号を送っても回答できます。',
  '1 無事です',
  '2 けががあります',
].join('\n');

describe('ownTextOf', () => {
  it.each([
    [
      'Gmail',
      `3です。\n\nOn Mon, Sep 1, 2025 at 6:00 AM 湊市教育委員会 <no-reply@renraku.test> wrote:\n\n${original}`,
    ],
    [
      'Gmail folded',
      `3です。\n\nOn Mon, Sep 1, 2025 at 6:00 AM 湊市教育委員会\n<no-reply@renraku.test> wrote:\n${original}`,
    ],
    [
      'Gmail in Japanese',
      `3です。\n\n2025年9月1日(月) 6:00 湊市教育委員会 <no-reply@renraku.test>:\n\n${original}`,
    ],
    [
      'iPhone in Japanese',
      `3です。\n\n2025/09/01 6:00、湊市教育委員会 <no-reply@renraku.test>のメール:\n\n${original}`,
    ],
    ['a Japanese mailer', `3です。\n\n湊市教育委員会さんのメッセージ：\n${original}`],
    ['Outlook', `3です。\r\n\r\n-----Original Message-----\r\nFrom: 湊市教育委員会\r\n${original}`],
    [
      'Outlook in Japanese',
      `3です。\n-----元のメッセージ-----\n差出人: 湊市教育委員会\n${original}`,
    ],
    [
      'Outlook’s rule',
      `3です。\n________________________________\n差出人: 湊市教育委員会\n${original}`,
    ],
    ['a feature phone', `3です。\n\n----- Original Message -----\n${original}`],
    ['quoted lines', `> ${original.split('\n').join('\n> ')}\n3です。\n＞ 2 けががあります`],
    ['a signature', `3です。\n-- \n湊 太郎 090-0000-0000\n2 けが`],
  ])('keeps only the parent’s words from %s', (_name, text) => {
    expect(ownTextOf(text)).toBe('3です。');
  });

  it('keeps several lines of the parent’s own', () => {
    expect(ownTextOf('無事です。\n迎えは夕方になります。\n\n> 元の本文')).toBe(
      '無事です。\n迎えは夕方になります。',
    );
  });

  it('finds nothing in a reply that only quotes', () => {
    expect(ownTextOf(original.replace(/^/gm, '> '))).toBe('');
    expect(ownTextOf('')).toBe('');
  });
});

describe('replyChoiceOf', () => {
  it.each([
    ['2', 2],
    ['けがをしました。2です', 2],
    ['４', 4],
    ['③', 3],
    ['1か2です', 1],
    ['番号は0と9と4', 4],
    ['確認しました', 0],
    ['', 0],
  ])('reads %j as choice %i', (own, choice) => {
    expect(replyChoiceOf(safety, own)).toBe(choice);
  });

  it('reads a digit the message has no choice for as a plain confirmation', () => {
    expect(replyChoiceOf(safety, '5')).toBe(0);
    expect(replyChoiceOf(ack, '1')).toBe(0);
  });
});

describe('replyWordsOf', () => {
  it('scrubs every address and keeps 200 characters', () => {
    expect(replyWordsOf('迎えは父(taro@docomo.ne.jp)が行きます')).toBe(
      '迎えは父(recipient)が行きます',
    );
    expect(replyWordsOf('連絡は hanako ＠ example.jp まで')).not.toContain('example.jp');
    expect(replyWordsOf('あ'.repeat(300))).toHaveLength(200);
  });

  it('is null for no words', () => {
    expect(replyWordsOf('  \n ')).toBeNull();
  });
});
