import { ServiceError } from '@renraku/shared';
import { deriveKeys } from '@renraku/shared/crypto';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../roster';
import { refusalText } from '../refusal';
import { holdUpload, uploadedFile, type HoldOwner } from './held-upload';

const keys = deriveKeys('k'.repeat(40));
const owner: HoldOwner = { staffUserId: 7, schoolId: 3, purpose: 'roster' };
const file = new TextEncoder().encode('学籍番号,学年,組\r\nA1,1,1組\r\n');
const heldAt = new Date('2026-04-06T09:00:00+09:00');
const minutes = (n: number) => new Date(heldAt.getTime() + n * 60_000);

/** What a Japanese admin reads of the refusal `work` ends in (a ServiceError, nothing else). */
function refusalOf(work: Promise<unknown>): Promise<string> {
  return work.then(
    () => 'not refused',
    (caught: unknown) => {
      expect(caught).toBeInstanceOf(ServiceError);
      return refusalText(caught as ServiceError, 'ja');
    },
  );
}

function formOf(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

describe('held uploads', () => {
  const held = holdUpload(keys, owner, file, heldAt);

  it('gives back exactly the previewed bytes to the same admin within the hour', async () => {
    const released = await uploadedFile(formOf({ ...held }), keys, owner, {
      required: true,
      now: minutes(59),
    });
    expect(new TextDecoder().decode(released)).toBe(new TextDecoder().decode(file));
  });

  it('refuses an expired, re-dated, replayed or altered file', async () => {
    const refusals: [Record<string, string>, HoldOwner, Date][] = [
      [{ ...held }, owner, minutes(61)],
      [{ ...held, heldAt: String(minutes(30).getTime()) }, owner, minutes(31)],
      [{ ...held }, { ...owner, staffUserId: 8 }, minutes(1)],
      [{ ...held }, { ...owner, schoolId: 4 }, minutes(1)],
      [{ ...held }, { ...owner, purpose: 'rollover' }, minutes(1)],
      [{ ...held, heldFile: Buffer.from('A2,6,1組').toString('base64') }, owner, minutes(1)],
      [{ ...held, heldSeal: '' }, owner, minutes(1)],
      [{ ...held, heldAt: 'yesterday' }, owner, minutes(1)],
    ];
    for (const [fields, who, now] of refusals) {
      await expect(
        refusalOf(uploadedFile(formOf(fields), keys, who, { required: true, now })),
      ).resolves.toMatch(/有効期限が切れたか/);
    }
  });

  it('prefers a newly chosen file, and asks for one only when it is required', async () => {
    const chosen = new Blob([new TextEncoder().encode('new')]);
    const fromInput = await uploadedFile(formOf({ ...held, file: chosen }), keys, owner, {
      field: 'file',
      required: true,
      now: minutes(1),
    });
    expect(new TextDecoder().decode(fromInput)).toBe('new');
    expect(await uploadedFile(formOf({}), keys, owner, { required: false })).toBeUndefined();
    await expect(
      refusalOf(uploadedFile(formOf({}), keys, owner, { required: true })),
    ).resolves.toMatch(/ファイルを選んでください/);
  });

  it('refuses a confirmation that tries to swap in a new file', async () => {
    const chosen = new Blob([new TextEncoder().encode('swapped')]);
    const released = await uploadedFile(formOf({ ...held, file: chosen }), keys, owner, {
      required: true,
      now: minutes(1),
    });
    expect(new TextDecoder().decode(released)).toBe(new TextDecoder().decode(file));
  });

  it('refuses a chosen file over the size limit', async () => {
    const huge = new Blob([new Uint8Array(MAX_FILE_BYTES + 1)]);
    await expect(
      refusalOf(
        uploadedFile(formOf({ file: huge }), keys, owner, { field: 'file', required: true }),
      ),
    ).resolves.toMatch(/大きすぎます/);
  });
});
