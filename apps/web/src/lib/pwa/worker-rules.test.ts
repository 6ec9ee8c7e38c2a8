import { describe, expect, it } from 'vitest';
import {
  endsFamilySession,
  isCacheableInboxResponse,
  isInboxPath,
  notificationContent,
} from './worker-rules';

const ORIGIN = 'https://renraku.example.jp';
const at = (path: string) => new URL(path, ORIGIN);

function response(url: string, init: { status?: number; redirected?: boolean } = {}): Response {
  const made = new Response('<html></html>', { status: init.status ?? 200 });
  // A constructed Response has type 'default' and no URL; a fetched one has both.
  Object.defineProperties(made, {
    url: { value: url },
    type: { value: 'basic' },
    redirected: { value: init.redirected ?? false },
  });
  return made;
}

describe('the offline cache', () => {
  it('keeps only the inbox and its data', () => {
    expect(isInboxPath('/account/inbox')).toBe(true);
    expect(isInboxPath('/account/inbox/12')).toBe(true);
    expect(isInboxPath('/account/inbox/__data.json')).toBe(true);
    expect(isInboxPath('/account/inboxes')).toBe(false);
    expect(isInboxPath('/account')).toBe(false);
    expect(isInboxPath('/staff/messages')).toBe(false);
    expect(isInboxPath('/staff/account/inbox')).toBe(false);
  });

  it('never keeps a redirect to the login, an error or another page', () => {
    const inbox = at('/account/inbox');
    expect(isCacheableInboxResponse(response(`${ORIGIN}/account/inbox`), inbox)).toBe(true);
    expect(
      isCacheableInboxResponse(response(`${ORIGIN}/account/login`, { redirected: true }), inbox),
    ).toBe(false);
    expect(
      isCacheableInboxResponse(response(`${ORIGIN}/account/inbox`, { status: 500 }), inbox),
    ).toBe(false);
    expect(isCacheableInboxResponse(response(`${ORIGIN}/staff`), at('/staff'))).toBe(false);
  });

  it('is emptied by a login, a logout and a withdrawal', () => {
    expect(endsFamilySession(at('/account/login?/login'))).toBe(true);
    expect(endsFamilySession(at('/account?/logout'))).toBe(true);
    expect(endsFamilySession(at('/account/withdraw?/withdraw'))).toBe(true);
    expect(endsFamilySession(at('/account?/remove'))).toBe(false);
    expect(endsFamilySession(at('/account/password'))).toBe(false);
  });
});

describe('notificationContent', () => {
  it('shows the payload and opens its page', () => {
    expect(
      notificationContent(
        { title: '【緊急連絡】臨時休校', body: '大雪のため休校', url: '/c/abc' },
        ORIGIN,
        '学校緊急連絡メール',
      ),
    ).toEqual({ title: '【緊急連絡】臨時休校', body: '大雪のため休校', url: `${ORIGIN}/c/abc` });
  });

  it('never opens another site, and copes with a broken payload', () => {
    expect(notificationContent({ title: 'x', url: 'https://evil.example/' }, ORIGIN, 'T').url).toBe(
      `${ORIGIN}/account`,
    );
    expect(notificationContent({ url: '//evil.example/x' }, ORIGIN, 'T').url).toBe(
      `${ORIGIN}/account`,
    );
    expect(notificationContent('not json', ORIGIN, 'T')).toEqual({
      title: 'T',
      body: '',
      url: `${ORIGIN}/account`,
    });
    expect(notificationContent({ title: 7, body: null }, ORIGIN, 'T').title).toBe('T');
  });
});
