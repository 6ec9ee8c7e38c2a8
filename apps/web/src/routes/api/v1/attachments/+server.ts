import { json } from '@sveltejs/kit';
import { stageAttachments, type UploadedFile } from '@renraku/core/attachments';
import { requireApiStaff } from '$lib/server/auth/guards';
import { uploadedFilesFrom } from '$lib/server/attachments/http';
import { invalidBody, type BodyRefusal } from '$lib/server/messages/api';
import { refusedJson } from '$lib/server/refusal';
import type { RequestHandler } from './$types';

// POST /api/v1/attachments: one file, as the raw body (its name in X-File-Name, percent-encoded
// UTF-8) or as multipart/form-data (`file`, its name from the part or a `name` field). 201
// `{ id }`, to be given in `attachments` of POST /api/v1/messages by the same token's owner.

/** The one file of the request, or why there is none. */
async function fileOf(request: Request): Promise<UploadedFile | BodyRefusal> {
  const type = request.headers.get('content-type') ?? '';
  if (/^multipart\/form-data/i.test(type)) {
    const form = await request.formData().catch(() => null);
    if (!form) return invalidBody('file', 'The multipart body could not be read.');
    const files = await uploadedFilesFrom(form, 'file');
    if (files.length !== 1)
      return invalidBody('file', 'Send exactly one file, in the field `file`.');
    const name = form.get('name');
    return { ...files[0]!, ...(typeof name === 'string' && name !== '' ? { name } : {}) };
  }
  let name: string;
  try {
    name = decodeURIComponent(request.headers.get('x-file-name') ?? '');
  } catch {
    return invalidBody('X-File-Name', 'X-File-Name must be percent-encoded UTF-8.');
  }
  return { name, bytes: new Uint8Array(await request.arrayBuffer()) };
}

export const POST: RequestHandler = async ({ request, locals }) => {
  const staff = requireApiStaff(locals);
  const file = await fileOf(request);
  if ('ok' in file) {
    const { error, message, issues } = file;
    return json({ error, message, issues }, { status: file.status });
  }
  try {
    const [stored] = await stageAttachments(
      locals.ctx,
      staff,
      { keep: [], files: [file] },
      locals.ctx.env.attachmentMaxBytes,
      'api',
    );
    return json({ id: stored!.id }, { status: 201 });
  } catch (caught) {
    return refusedJson(caught, locals.locale);
  }
};
