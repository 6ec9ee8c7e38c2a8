import { schema } from '@renraku/db';
import { describe, expect, it } from 'vitest';
import {
  findRegistration,
  issueLink,
  openDetailsForm,
  PASSWORD,
  register,
  useParentsWeb,
  type ParentsContext,
} from './harness';

// The details form in one round trip (issue 12 item 7) and the 'ID taken' probe (item 18):
// every problem comes back at once, the password is kept when it was fine, 'taken' is said
// once; and taken-ID answers are rate-limited per link and per client address, so a link and
// the school's auth code are no oracle for which login IDs exist.

const ctx = useParentsWeb();

const TAKEN_MESSAGE = 'このログインIDはすでに使われています';

async function detailsForm(context: ParentsContext, address: string) {
  return openDetailsForm(context, await issueLink(context, address));
}

const occurrences = (html: string, text: string) => html.split(text).length - 1;

describe('the details form in one round trip', () => {
  it('shows format errors of every field and the taken ID together, the taken message once', async () => {
    await register(ctx, await issueLink(ctx, 'first-owner@docomo.ne.jp'), {
      loginId: 'owner-id',
    });
    const { post } = await detailsForm(ctx, 'second@docomo.ne.jp');
    const response = await post({
      loginId: 'owner-id',
      childKana: '苫小牧たろう',
      childName: '',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('カナはカタカナまたはひらがなで入力してください');
    expect(html).toContain('お子さまの氏名を入力してください');
    expect(occurrences(html, TAKEN_MESSAGE)).toBe(1);
    // Suggestions come with the taken answer in the same round trip.
    expect(html).toMatch(/<code[^>]*>owner-id[^<]+<\/code>/);
    expect(await findRegistration(ctx, 'owner-id')).toMatchObject({
      childKana: 'トマコマイ タロウ',
    });
  });

  it('keeps an accepted password in the re-rendered form, never a refused one', async () => {
    const { post } = await detailsForm(ctx, 'keeper@docomo.ne.jp');
    const kept = await post({ loginId: 'keeper-id', childKana: 'abc' });
    expect(kept.status).toBe(400);
    const keptHtml = await kept.text();
    expect(keptHtml).toMatch(new RegExp(`name="password"[^>]*value="${PASSWORD}"`));
    expect(kept.headers.get('cache-control')).toContain('no-store');

    const refused = await post({ loginId: 'keeper-id', password: 'password123' });
    expect(refused.status).toBe(400);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain('よく使われていて危険です');
    expect(refusedHtml).not.toContain('password123');
    expect(await findRegistration(ctx, 'keeper-id')).toBeUndefined();
  });

  it('keeps the password out of the page when it holds markup, escaped', async () => {
    const { post } = await detailsForm(ctx, 'markup@docomo.ne.jp');
    const response = await post({
      loginId: 'markup-id',
      password: '"><b>x</b>-long',
      childKana: 'x',
    });
    const html = await response.text();
    expect(html).not.toContain('"><b>x</b>');
  });
});

describe('taken login IDs as a probe', () => {
  it('refuses the 6th taken-ID answer from one link, without saying taken or free', async () => {
    const taken = ['probe-a', 'probe-b', 'probe-c', 'probe-d', 'probe-e', 'probe-f', 'probe-g'];
    for (const [index, loginId] of taken.entries()) {
      await register(ctx, await issueLink(ctx, `owner-${index}@docomo.ne.jp`), { loginId });
    }
    const { post } = await detailsForm(ctx, 'prober@docomo.ne.jp');
    for (const loginId of taken.slice(0, 5)) {
      const answer = await post({ loginId });
      expect(answer.status, loginId).toBe(400);
      expect(await answer.text(), loginId).toContain(TAKEN_MESSAGE);
    }
    const sixth = await post({ loginId: taken[5]! });
    expect(sixth.status).toBe(429);
    const sixthHtml = await sixth.text();
    expect(sixthHtml).not.toContain(TAKEN_MESSAGE);
    expect(sixthHtml).toContain('入力の確認が続いたため');
    // A free ID is refused the same way now: the answer tells nothing about the ID.
    const free = await post({ loginId: 'nobody-has-this' });
    expect(free.status).toBe(429);
    expect(await free.text()).not.toContain(TAKEN_MESSAGE);
    expect(await findRegistration(ctx, 'nobody-has-this')).toBeUndefined();
    // The link is not used up, and another parent's link is not affected.
    const other = await detailsForm(ctx, 'other-parent@docomo.ne.jp');
    const otherAnswer = await other.post({ loginId: taken[6]! });
    expect(otherAnswer.status).toBe(400);
    expect(await otherAnswer.text()).toContain(TAKEN_MESSAGE);
  });

  it('counts free IDs back, so a parent who finds a free ID is not held up', async () => {
    const { post } = await detailsForm(ctx, 'careful@docomo.ne.jp');
    // Refused for format only: no lookup, nothing counted.
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const answer = await post({ loginId: `careful-${attempt}`, childKana: 'x' });
      expect(answer.status).toBe(400);
    }
    const done = await post({ loginId: 'careful-parent' });
    expect(done.status).toBe(303);
  });

  it('limits taken-ID answers per client address across links', async () => {
    await register(ctx, await issueLink(ctx, 'popular@docomo.ne.jp'), { loginId: 'popular' });
    let answered = 0;
    let refusedStatus = 0;
    // Links from many mailboxes, five probes each: the address limit stops them.
    for (let link = 0; link < 12 && refusedStatus === 0; link += 1) {
      const { post } = await detailsForm(ctx, `many-${link}@docomo.ne.jp`);
      for (let probe = 0; probe < 5; probe += 1) {
        const answer = await post({ loginId: 'popular' });
        if (answer.status === 429) {
          refusedStatus = answer.status;
          expect(await answer.text()).not.toContain(TAKEN_MESSAGE);
          break;
        }
        expect(answer.status).toBe(400);
        answered += 1;
      }
    }
    expect(refusedStatus).toBe(429);
    // Earlier tests of this file used some of the address's budget; the limit is 50 in all.
    expect(answered).toBeLessThan(50);
    expect(answered).toBeGreaterThan(30);
    const stored = await ctx.db.select().from(schema.registrations);
    expect(stored.filter((r) => r.loginId === 'popular')).toHaveLength(1);
  });
});
