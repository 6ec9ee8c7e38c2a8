import { linkHandler } from '$lib/server/attachments/http';

// An attachment's link, as every mail of its message gives it (any phone, no sign-in).
export const GET = linkHandler('content');
