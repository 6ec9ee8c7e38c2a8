import type { Readable } from 'node:stream';

// An empty mail is read for its header only: subject and body are ignored (some phones refuse
// to send a mail without text, so parents type something). The header is scanned here rather
// than by a MIME parser because nothing in it is decoded: only the few fields that decide
// whether to answer, and to what, are looked at.

/** Header fields by lower-case name, each with every value it had (unfolded, untrimmed). */
export type HeaderFields = Map<string, string[]>;

/**
 * Reads the whole message but keeps at most `maxBytes`; undefined when it was longer. Throws
 * when the client goes away before the end, so a half-received mail is never acted on.
 */
export async function readMessage(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit the rest is only drained: the client must still reach the final dot.
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks);
}

const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/;

/**
 * The header block as fields, or undefined when it is not a mail header at all (garbage, a
 * binary blob, a first line that is not a field). A mail must name its author (From), as every
 * phone and mail program does. Octets are read as latin1: 8-bit text in a subject is harmless
 * here, since no value that matters is anything but ASCII.
 */
export function parseHeaderBlock(message: Buffer): HeaderFields | undefined {
  const text = message.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  // A mail may be all header and no body; then the block runs to the end of the data.
  const block = end < 0 ? text.replace(/(\r?\n)+$/, '') : text.slice(0, end);
  const fields: HeaderFields = new Map();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const values = fields.get(current.name) ?? [];
    values.push(current.value);
    fields.set(current.name, values);
  };
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      if (!current) return undefined;
      current.value += line;
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match?.[1]) return undefined;
    flush();
    current = { name: match[1].toLowerCase(), value: match[2] ?? '' };
  }
  flush();
  return fields.get('from')?.length === 1 ? fields : undefined;
}

function first(fields: HeaderFields, name: string): string | undefined {
  return fields.get(name)?.[0]?.trim();
}

/** Every value of a field as a bare keyword: no (comments), no ";parameters", lower case. */
function keywords(fields: HeaderFields, name: string): string[] {
  return (fields.get(name) ?? []).map(
    (value) =>
      value
        .replace(/\([^()]*\)/g, ' ')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? '',
  );
}

/** The mailbox of a header address: the part in angle brackets, else the whole value. */
function mailboxOf(value: string): string {
  const bracketed = /<([^<>]*)>/.exec(value);
  return (bracketed?.[1] ?? value).trim().toLowerCase();
}

// Senders that are programs, never a parent: RFC 3834 §2 asks responders to leave them alone.
const MACHINE_LOCAL_PARTS = new Set([
  'mailer-daemon',
  'postmaster',
  'noreply',
  'no-reply',
  'do-not-reply',
  'donotreply',
  'listserv',
  'majordomo',
]);

/** Whether an address belongs to a mail system or a list rather than to a person. */
export function isMachineAddress(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf('@')).toLowerCase();
  return MACHINE_LOCAL_PARTS.has(local) || local.startsWith('owner-') || local.endsWith('-request');
}

/**
 * Whether answering would be an auto-reply to a machine (RFC 3834): an Auto-Submitted other
 * than "no", list or bulk mail, another auto-responder's mail, a sender that asked not to get
 * auto-replies (Microsoft's X-Auto-Response-Suppress), or a mail system's address in From.
 * Answering those risks mail loops and backscatter to forged senders.
 */
export function isAutomaticMail(fields: HeaderFields): boolean {
  if (keywords(fields, 'auto-submitted').some((value) => value !== 'no')) return true;
  if (keywords(fields, 'precedence').some((value) => ['bulk', 'junk', 'list'].includes(value))) {
    return true;
  }
  if (fields.has('list-id') || fields.has('list-unsubscribe')) return true;
  if (fields.has('x-autoreply') || fields.has('x-autorespond')) return true;
  const suppress = (fields.get('x-auto-response-suppress') ?? []).join(',').toLowerCase();
  if (/\b(all|autoreply|oof)\b/.test(suppress)) return true;
  const from = first(fields, 'from');
  return from !== undefined && isMachineAddress(mailboxOf(from));
}

/** The parent's Message-ID for In-Reply-To, when it is well-formed enough to echo back. */
export function messageIdOf(fields: HeaderFields): string | undefined {
  const id = first(fields, 'message-id');
  return id !== undefined && /^<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>$/.test(id) ? id : undefined;
}
