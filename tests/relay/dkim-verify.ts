import { createHash, verify, type KeyObject } from 'node:crypto';

// A DKIM verifier (RFC 6376) with node:crypto, so that the test checks the signature the way a
// receiving carrier does and not by asking the signer: rsa-sha256, simple or relaxed
// canonicalization of headers and body, the key given instead of looked up in DNS.

/** What a verified signature covered. */
export interface VerifiedDkim {
  domain: string;
  selector: string;
  /** The signed header names, lower-case, in h= order. */
  headers: string[];
}

/** One header field as it stands in the message: its name and its whole text with CRLFs. */
interface Field {
  name: string;
  text: string;
}

function fieldsOf(head: string): Field[] {
  const fields: Field[] = [];
  for (const line of head.split(/(?<=\r\n)/)) {
    const last = fields.at(-1);
    if (/^[ \t]/.test(line) && last) last.text += line;
    else fields.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), text: line });
  }
  return fields;
}

function canonicalHeader(field: Field, mode: string): string {
  if (mode === 'simple') return field.text;
  const value = field.text
    .slice(field.text.indexOf(':') + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${field.name}:${value}\r\n`;
}

function canonicalBody(body: string, mode: string): string {
  let lines = body.split('\r\n');
  if (mode === 'relaxed') lines = lines.map((line) => line.replace(/[ \t]+/g, ' ').trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return mode === 'relaxed' ? '' : '\r\n';
  return `${lines.join('\r\n')}\r\n`;
}

/** Verifies the message's DKIM-Signature with `publicKey`; throws saying what does not match. */
export function verifyDkim(raw: string, publicKey: KeyObject): VerifiedDkim {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error('no header/body separator');
  const fields = fieldsOf(raw.slice(0, split + 2));
  const signature = fields.find((field) => field.name === 'dkim-signature');
  if (!signature) throw new Error('no DKIM-Signature');
  const tags = new Map(
    signature.text
      .slice(signature.text.indexOf(':') + 1)
      .replace(/\s+/g, '')
      .split(';')
      .filter(Boolean)
      .map((tag) => [tag.slice(0, tag.indexOf('=')), tag.slice(tag.indexOf('=') + 1)]),
  );
  const tag = (name: string) => {
    const value = tags.get(name);
    if (value === undefined) throw new Error(`DKIM-Signature without ${name}=`);
    return value;
  };
  if (tag('v') !== '1' || tag('a') !== 'rsa-sha256') throw new Error('unsupported v= or a=');
  if (tags.has('l')) throw new Error('l= would let anyone append to the body');
  const [headerMode = 'simple', bodyMode = 'simple'] = (tags.get('c') ?? 'simple').split('/');
  const bodyHash = createHash('sha256')
    .update(canonicalBody(raw.slice(split + 4), bodyMode), 'latin1')
    .digest('base64');
  if (bodyHash !== tag('bh')) throw new Error('body hash mismatch');
  const signed = tag('h').toLowerCase().split(':');
  const unused = [...fields];
  let data = '';
  for (const name of signed) {
    // The last instance not yet used; a name with none left contributes nothing (RFC 6376 5.4.2).
    const index = unused.findLastIndex((field) => field.name === name);
    if (index < 0) continue;
    data += canonicalHeader(unused[index]!, headerMode);
    unused.splice(index, 1);
  }
  const unsigned = { ...signature, text: signature.text.replace(/(^|;)(\s*b\s*=)[^;]*/, '$1$2') };
  data += canonicalHeader(unsigned, headerMode).replace(/\r\n$/, '');
  const valid = verify(
    'sha256',
    Buffer.from(data, 'latin1'),
    publicKey,
    Buffer.from(tag('b'), 'base64'),
  );
  if (!valid) throw new Error('signature mismatch');
  return { domain: tag('d'), selector: tag('s'), headers: signed };
}
