import { linkHandler } from '$lib/server/attachments/http';

// An image attachment's small preview on the families' pages; no download is counted.
export const GET = linkHandler('preview');
