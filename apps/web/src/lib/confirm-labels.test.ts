import { confirmRequestOf, SAFETY_CHOICES } from '@renraku/shared';
import { describe, expect, it } from 'vitest';
import { choiceLabelsIn } from './confirm-labels';

describe('choiceLabelsIn', () => {
  it('translates 確認しました and the 安否確認 preset, in their order', () => {
    const safety = confirmRequestOf('emergency_contact', { preset: 'safety' })!;
    expect(choiceLabelsIn(safety, 'ja')).toEqual(['確認しました', ...SAFETY_CHOICES]);
    expect(choiceLabelsIn(safety, 'en')).toEqual([
      'I have read it',
      'We are safe',
      'Someone is injured',
      'I can pick up my child',
      'I cannot pick up my child',
    ]);
  });

  it("keeps a sender's own choices as typed", () => {
    const custom = confirmRequestOf('emergency_info', { choices: ['参加します', '欠席します'] })!;
    expect(choiceLabelsIn(custom, 'en')).toEqual(['I have read it', '参加します', '欠席します']);
    expect(choiceLabelsIn(confirmRequestOf('emergency_info', undefined)!, 'ja')).toEqual([
      '確認しました',
    ]);
  });
});
