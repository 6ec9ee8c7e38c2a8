import { error, type RequestHandler } from '@sveltejs/kit';
import type { AttachmentFile } from '@renraku/db';
import { openAttachment, type UploadedFile } from '@renraku/core/attachments';
import { ServiceError } from '@renraku/shared';
import { refusalText } from '../refusal';

// The attachments' HTTP glue: files out of a posted form, and a stored file as a response.

/** The files of a form's file input; an input left empty posts a nameless empty file, skipped. */
export async function uploadedFilesFrom(form: FormData, name: string): Promise<UploadedFile[]> {
  const files = form
    .getAll(name)
    .filter((entry): entry is File => typeof entry !== 'string')
    .filter((file) => !(file.name === '' && file.size === 0));
  return Promise.all(
    files.map(async (file) => ({
      name: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    })),
  );
}

/** RFC 5987's attr-char: encodeURIComponent leaves ' ( ) * ! as they are, which it does not allow. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A stored file as the browser gets it: its recognised type and never a sniffed one, opened
 * in place under its name, and sandboxed, so that even a file that fooled the checks can run
 * nothing on this site's origin. Cached by the browser only (private).
 */
export function fileResponse(file: AttachmentFile): Response {
  return new Response(new Uint8Array(file.content), {
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.content.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'content-disposition': `inline; filename*=UTF-8''${rfc5987(file.fileName)}`,
      'cache-control': 'private, max-age=3600',
    },
  });
}

/** A service's file, or its refusal (a forged token, another school's message) as the error page. */
export async function served(
  opening: Promise<AttachmentFile>,
  locale: App.Locals['locale'],
): Promise<Response> {
  try {
    return fileResponse(await opening);
  } catch (caught) {
    if (caught instanceof ServiceError) error(caught.status, refusalText(caught, locale));
    throw caught;
  }
}

/**
 * GET /a/<token> (the file) and /a/<token>/preview (an image's preview). A GET of the file
 * counts a download: the count is a statistic on the dashboard, not a change of state that a
 * mail scanner's fetch could abuse (it can only add one to a number nobody acts on). A HEAD
 * (a link preview asking what is there) fetches nothing and counts nothing.
 */
export function linkHandler(part: 'content' | 'preview'): RequestHandler<{ token: string }> {
  return ({ locals, params, request }) =>
    served(openAttachment(locals.ctx, params.token, part, request.method === 'GET'), locals.locale);
}
