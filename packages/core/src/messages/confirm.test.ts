import { describe, expect, it } from 'vitest';
import { checkConfirm } from './confirm';

describe('checkConfirm', () => {
  it("takes the category's default when the block is absent", () => {
    expect(checkConfirm('emergency_contact', { subject: 'x' })).toEqual({
      ok: true,
      confirm: { preset: 'ack', choices: [], needsCall: [], deadlineMinutes: 30 },
    });
    expect(checkConfirm('emergency_info', {})).toMatchObject({
      ok: true,
      confirm: { preset: 'ack' },
    });
    expect(checkConfirm('education_info', {})).toEqual({ ok: true, confirm: null });
  });

  it('switches confirmation off with false, and on for news when asked', () => {
    expect(checkConfirm('emergency_contact', { confirm: false })).toEqual({
      ok: true,
      confirm: null,
    });
    expect(checkConfirm('education_info', { confirm: { deadlineMinutes: 60 } })).toEqual({
      ok: true,
      confirm: { preset: 'ack', choices: [], needsCall: [], deadlineMinutes: 60 },
    });
  });

  it('keeps own choices with the ones marked as needing a call', () => {
    expect(
      checkConfirm('emergency_info', {
        confirm: { choices: ['参加します', '欠席します'], needsCall: [2] },
      }),
    ).toEqual({
      ok: true,
      confirm: {
        preset: 'custom',
        choices: ['参加します', '欠席します'],
        needsCall: [2],
        deadlineMinutes: 30,
      },
    });
  });

  it.each([
    [{ deadlineMinutes: 9 }, 'compose.error.confirmDeadline', 'confirm.deadlineMinutes'],
    [{ deadlineMinutes: 1441 }, 'compose.error.confirmDeadline', 'confirm.deadlineMinutes'],
    [{ deadlineMinutes: '30' }, 'compose.error.confirmDeadline', 'confirm.deadlineMinutes'],
    [{ choices: [] }, 'compose.error.confirmChoicesRequired', 'confirm.choices'],
    [
      { choices: ['a', 'b', 'c', 'd', 'e', 'f'] },
      'compose.error.confirmChoicesTooMany',
      'confirm.choices',
    ],
    [{ choices: ['あ'.repeat(21)] }, 'compose.error.confirmChoiceTooLong', 'confirm.choices.0'],
    [{ choices: ['はい', '  '] }, 'compose.error.confirmChoicesRequired', 'confirm.choices.1'],
    [{ choices: ['一行目\n二行目'] }, 'compose.error.confirmChoiceOneLine', 'confirm.choices.0'],
    [{ choices: ['はい', 'はい'] }, 'compose.error.confirmChoicesDuplicate', 'confirm.choices'],
    [{ choices: ['はい'], needsCall: [2] }, 'compose.error.confirmNeedsCall', 'confirm.needsCall'],
    [{ needsCall: [1] }, 'compose.error.confirmNeedsCall', 'confirm.needsCall'],
    [{ preset: 'safety', choices: ['はい'] }, 'compose.error.confirm', 'confirm.choices'],
    [{ preset: 'poll' }, 'compose.error.confirm', 'confirm.preset'],
    [{ deadline: 30 }, 'compose.error.confirm', 'confirm'],
    [true, 'compose.error.confirm', 'confirm'],
    [null, 'compose.error.confirm', 'confirm'],
    ['yes', 'compose.error.confirm', 'confirm'],
    [[], 'compose.error.confirm', 'confirm'],
  ])('refuses %j with %s at %s', (block, key, path) => {
    const checked = checkConfirm('emergency_contact', { confirm: block });
    expect(checked).toMatchObject({ ok: false, problem: { key }, path });
    if (!checked.ok) expect(checked.message).toMatch(new RegExp(`^${path.replace('.', '\\.')}: `));
  });
});
