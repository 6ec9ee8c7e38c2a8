import { error } from '@sveltejs/kit';
import { openStaffAttachment } from '@renraku/core/attachments';
import { requireStaff } from '$lib/server/auth/guards';
import { served } from '$lib/server/attachments/http';
import { idFrom } from '$lib/server/staff-admin';
import type { RequestHandler } from './$types';

// A message's attachment opened from its dashboard: the message must be in the staff member's
// scope (another school's looks like none). Staff opening a file is not a family's download.
export const GET: RequestHandler = async ({ locals, params }) => {
  const staff = requireStaff(locals);
  const messageId = idFrom(params.id);
  const attachmentId = idFrom(params.attachmentId);
  if (!messageId || !attachmentId) error(404, 'not found');
  return served(openStaffAttachment(locals.ctx, staff, messageId, attachmentId), locals.locale);
};
