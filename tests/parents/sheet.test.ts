import { describe, expect, it } from 'vitest';
import { registrationSheets } from '../../apps/web/src/lib/server/roster';
import { schoolAdmin } from '../roster/fixtures';
import { enterAuthCode, issueLink, useParentsWeb } from './harness';

// The printed sheet walks a parent through the real pages: the buttons it names are the ones
// the pages show, so a parent looking for 「作成」 on a form whose button says 「登録する」 is not
// left wondering.

const ctx = useParentsWeb();

/** The text of every submit button of a page. */
function buttonLabels(html: string): string[] {
  return [...html.matchAll(/<button[^>]*type="submit"[^>]*>([^<]*)<\/button/g)].map((m) =>
    m[1]!.trim(),
  );
}

describe('the registration sheet', () => {
  it('names, in step ④, the button that the registration form really has', async () => {
    const { html } = await enterAuthCode(ctx, await issueLink(ctx, 'sheet@example.jp'));
    const [submit] = buttonLabels(html);
    expect(submit).toBeTruthy();

    const [sheet] = await registrationSheets(ctx.db, schoolAdmin(ctx.school), {
      schoolId: ctx.school.id,
      target: { kind: 'school' },
      publicUrl: 'http://renraku.test',
    });
    const step4 = sheet!.steps.find((step) => step.mark === '④');
    expect(step4?.body).toContain(`「${submit}」ボタンを押します`);
    // No other button name: the form has only this one.
    expect(step4?.body.match(/「[^」]+」ボタン/g)).toEqual([`「${submit}」ボタン`]);
  });

  it('names, in steps ② and ③, the choice and the button the link pages show', async () => {
    const token = await issueLink(ctx, 'sheet2@example.jp');
    const choice = await (await fetch(`${ctx.base}/r/${token}`)).text();
    const code = await (await fetch(`${ctx.base}/r/${token}/new`)).text();
    const [sheet] = await registrationSheets(ctx.db, schoolAdmin(ctx.school), {
      schoolId: ctx.school.id,
      target: { kind: 'school' },
      publicUrl: 'http://renraku.test',
    });
    const step2 = sheet!.steps.find((step) => step.mark === '②')!;
    const step3 = sheet!.steps.find((step) => step.mark === '③')!;
    const chosen = /「([^」]+)」/.exec(step2.body)?.[1];
    expect(chosen).toBeTruthy();
    expect(choice).toContain(chosen!);
    const [next] = buttonLabels(code);
    expect(step3.body).toContain(`「${next}」ボタンを押します`);
  });
});
