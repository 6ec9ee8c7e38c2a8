import { PublicUrlError } from '@renraku/shared/public-url';
import { describe, expect, it } from 'vitest';
import { checkedLookup } from './sender';

const endpoint = 'https://push.example.com/x';
const answering = (addresses: string[]) => ({ resolve: () => Promise.resolve(addresses) });
const run = (
  lookup: ReturnType<typeof checkedLookup>,
  options: { all: boolean; family?: number },
) =>
  new Promise<{ error: Error | null; result: unknown }>((resolve) =>
    lookup('push.example.com', options, (error, address, family) =>
      resolve({ error, result: options.all ? address : { address, family } }),
    ),
  );

describe('checkedLookup', () => {
  it('hands over the checked answers, one or all as asked, of the family asked', async () => {
    const lookup = checkedLookup(
      endpoint,
      answering(['142.250.196.106', '2404:6800:4004:81f::200a']),
    );
    expect(await run(lookup, { all: true })).toEqual({
      error: null,
      result: [
        { address: '142.250.196.106', family: 4 },
        { address: '2404:6800:4004:81f::200a', family: 6 },
      ],
    });
    expect(await run(lookup, { all: false })).toEqual({
      error: null,
      result: { address: '142.250.196.106', family: 4 },
    });
    expect(await run(lookup, { all: false, family: 6 })).toEqual({
      error: null,
      result: { address: '2404:6800:4004:81f::200a', family: 6 },
    });
  });

  it('refuses a name when any answer points inward', async () => {
    for (const answers of [['169.254.169.254'], ['142.250.196.106', '10.0.0.1']]) {
      const { error } = await run(checkedLookup(endpoint, answering(answers)), { all: true });
      expect(error, answers.join()).toBeInstanceOf(PublicUrlError);
      expect(error).toMatchObject({ problem: 'private_host' });
    }
  });

  it('fails a name with no answer, or none of the family asked, as unresolvable', async () => {
    const none = await run(checkedLookup(endpoint, answering([])), { all: true });
    expect(none.error).toMatchObject({ problem: 'unresolvable' });
    const v4only = checkedLookup(endpoint, answering(['142.250.196.106']));
    expect((await run(v4only, { all: true, family: 6 })).error).toMatchObject({
      problem: 'unresolvable',
    });
  });

  it('opens loopback answers only under the test setting', async () => {
    const loopback = answering(['127.0.0.1']);
    expect((await run(checkedLookup(endpoint, loopback), { all: true })).error).toMatchObject({
      problem: 'private_host',
    });
    const opened = checkedLookup(endpoint, { ...loopback, allowLoopback: true });
    expect(await run(opened, { all: false })).toEqual({
      error: null,
      result: { address: '127.0.0.1', family: 4 },
    });
  });
});
