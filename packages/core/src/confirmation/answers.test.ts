import { describe, expect, it } from 'vitest';
import { withoutAddresses } from './answers';

describe('withoutAddresses', () => {
  it.each([
    'mama.tanaka@example.jp',
    '<papa@docomo.ne.jp>',
    'ｍａｍａ＠ｅｚｗｅｂ．ｎｅ．ｊｐ',
    'a..b.@ezweb.ne.jp',
    'mama@',
    '@docomo',
    'x﹫y.jp',
  ])('leaves no address of %s', (address) => {
    const words = withoutAddresses(`連絡は ${address} まで、急ぎです`);
    expect(words).not.toMatch(/[@＠﹫]/);
    expect(words).toMatch(/^連絡は .* まで、急ぎです$/);
  });

  it('keeps words that hold no address', () => {
    expect(withoutAddresses('けがをしたので迎えに行きます。090-1234-5678')).toBe(
      'けがをしたので迎えに行きます。090-1234-5678',
    );
  });
});
