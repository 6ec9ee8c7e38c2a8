import { isActionFailure, isHttpError } from '@sveltejs/kit';
import { ServiceError } from '@renraku/shared';
import { describe, expect, it } from 'vitest';
import { loaded, refusalText, refused, refusedFields, refusedJson } from './refusal';

const taken = new ServiceError('conflict', 'refusal.accounts.loginTaken', { login: 'sato' });

describe('refusalText', () => {
  it('words the refusal in the request’s language, with its params', () => {
    expect(refusalText(taken, 'ja')).toBe('ログインID「sato」はすでに使われています。');
    expect(refusalText(taken, 'en')).toBe('The login ID “sato” is already in use.');
  });

  it('reads a key the dictionaries lack as a generic refusal, not as the key', () => {
    const unknown = new ServiceError('invalid', 'refusal.no.such.key');
    expect(refusalText(unknown, 'en')).toBe('The action could not be completed.');
  });
});

describe('refused', () => {
  it('gives the form its status per kind, the worded message, the kept values and the field', () => {
    const failure = refused(
      new ServiceError('invalid', 'refusal.accounts.chooseSchool', {}, { field: 'schoolId' }),
      'en',
      { values: { login: 'sato' } },
    );
    expect(isActionFailure(failure)).toBe(true);
    expect(failure.status).toBe(400);
    expect(failure.data).toEqual({
      values: { login: 'sato' },
      error: 'Choose a school.',
      field: 'schoolId',
    });
    expect(refused(taken, 'ja').status).toBe(409);
    expect(refused(new ServiceError('forbidden', 'refusal.accounts.notYours'), 'ja').status).toBe(
      403,
    );
    expect(refused(new ServiceError('not_found', 'refusal.tokens.notFound'), 'ja').status).toBe(
      404,
    );
  });

  it('rethrows what is not a refusal, so it stays a 500', () => {
    const bug = new TypeError('bug');
    expect(() => refused(bug, 'ja')).toThrow(bug);
  });
});

/** A compose input refused as a whole: two fields, each with its own message. */
const twoFields = new ServiceError(
  'invalid',
  'compose.error.required',
  {},
  {
    code: 'invalid_input',
    fields: {
      subject: { key: 'compose.error.required' },
      body: { key: 'compose.error.tooLong', params: { max: 5000 } },
    },
    issues: [
      { path: 'subject', message: 'Too small' },
      { path: 'body', message: 'Too big' },
    ],
  },
);

describe('refusedFields', () => {
  it('marks each refused field with its message in the language, and keeps the values', () => {
    const failure = refusedFields(twoFields, 'ja', { values: { subject: '' } });
    expect(failure.status).toBe(400);
    expect(failure.data).toEqual({
      values: { subject: '' },
      errors: {
        subject: '入力してください。',
        body: '5000文字以内で入力してください。',
      },
    });
  });

  it('marks the one field of a single-field refusal, with its status (422 for unprocessable)', () => {
    const reused = new ServiceError(
      'unprocessable',
      'compose.error.expired',
      {},
      {
        field: 'idempotencyKey',
      },
    );
    const failure = refusedFields(reused, 'en');
    expect(failure.status).toBe(422);
    expect(Object.keys(failure.data.errors)).toEqual(['idempotencyKey']);
    expect(failure.data.errors.idempotencyKey).toBe(refusalText(reused, 'en'));
  });

  it('rethrows what is not a refusal', () => {
    expect(() => refusedFields(new RangeError('bug'), 'en')).toThrow('bug');
  });
});

describe('loaded', () => {
  it('passes the data through, and turns a refusal into the error page in the language', async () => {
    await expect(loaded(Promise.resolve(7), 'en')).resolves.toBe(7);
    const caught: unknown = await loaded(Promise.reject(taken), 'en').catch((e: unknown) => e);
    expect(isHttpError(caught)).toBe(true);
    expect(caught).toMatchObject({
      status: 409,
      body: { message: 'The login ID “sato” is already in use.' },
    });
  });
});

describe('refusedJson', () => {
  it('answers the API with the status and the kind, key and worded message', async () => {
    const response = refusedJson(taken, 'en');
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: 'conflict',
      key: 'refusal.accounts.loginTaken',
      message: 'The login ID “sato” is already in use.',
    });
    expect(() => refusedJson(new Error('bug'), 'en')).toThrow('bug');
  });

  it('answers with the machine code and the schema’s issues when the refusal has them', async () => {
    const response = refusedJson(twoFields, 'en');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_input',
      key: 'compose.error.required',
      message: refusalText(twoFields, 'en'),
      issues: twoFields.issues,
    });
  });

  it('gives a one-field refusal its field and an issue worded in the language', async () => {
    const outside = new ServiceError(
      'forbidden',
      'compose.error.outsideScope',
      {},
      {
        code: 'outside_scope',
        field: 'target',
      },
    );
    const body = await refusedJson(outside, 'ja').json();
    expect(body).toMatchObject({ error: 'outside_scope', field: 'target' });
    expect(body.issues).toEqual([{ path: 'target', message: refusalText(outside, 'ja') }]);
    expect(body.message).toBe(refusalText(outside, 'ja'));
    expect(body.message).not.toBe('compose.error.outsideScope');
  });
});
