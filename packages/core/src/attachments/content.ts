import type { AttachmentKind } from '@renraku/shared';

// What an uploaded file is, from its bytes alone: a name or a client's Content-Type says
// nothing. A file that is one accepted type and also carries another format (a polyglot: a
// JPEG with a PDF or ZIP behind it, a PDF whose start holds an HTML page) is refused, since
// what a browser or viewer makes of it depends on who looks.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
const PDF_SIGNATURE = Buffer.from('%PDF-', 'latin1');

/** The accepted type the bytes start with, or null. */
export function recogniseKind(bytes: Uint8Array): AttachmentKind | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.subarray(0, PDF_SIGNATURE.length).equals(PDF_SIGNATURE)) return 'pdf';
  if (data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return 'png';
  if (data.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)) return 'jpeg';
  return null;
}

/**
 * Where a PDF's header must be clean of other formats: what sniffers and viewers read first, up
 * to its first object (a scanned letter's first object may well be a JPEG stream).
 */
const PDF_HEAD_BYTES = 1024;
const FIRST_OBJECT = /\d+\s+\d+\s+obj\b/;
/** A ZIP's end record sits in its last 64 KiB (the comment) plus its 22 bytes. */
const ZIP_TAIL_BYTES = 65_536 + 22;

/** Other formats' signatures, any one of which in a PDF's head makes it something else too. */
const FOREIGN_HEADS: Buffer[] = [
  PNG_SIGNATURE,
  JPEG_SIGNATURE,
  Buffer.from('GIF8', 'latin1'),
  Buffer.from('PK\x03\x04', 'latin1'),
  Buffer.from('MZ\x90\x00', 'latin1'),
];

/** Markup a browser would run or render as a page, anywhere in the file. */
const MARKUP = /<(?:html|script|!doctype\s+html|svg|iframe|body)[\s>/]/i;

/** A ZIP local file header with a version number real archives use (a random match is rare). */
function hasZipEntry(data: Buffer): boolean {
  const local = Buffer.from('PK\x03\x04', 'latin1');
  for (let at = data.indexOf(local); at >= 0; at = data.indexOf(local, at + 1)) {
    const version = data[at + 4];
    if (data[at + 5] === 0 && version !== undefined && [10, 20, 45, 46, 63].includes(version)) {
      return true;
    }
  }
  return data.subarray(-ZIP_TAIL_BYTES).includes(Buffer.from('PK\x05\x06', 'latin1'));
}

/** Whether a file of the recognised kind also carries another format. */
export function isPolyglot(bytes: Uint8Array, kind: AttachmentKind): boolean {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (MARKUP.test(data.toString('latin1'))) return true;
  if (hasZipEntry(data)) return true;
  if (kind === 'pdf') {
    const start = data.subarray(0, PDF_HEAD_BYTES);
    const firstObject = FIRST_OBJECT.exec(start.toString('latin1'))?.index ?? PDF_HEAD_BYTES;
    const head = start.subarray(PDF_SIGNATURE.length, firstObject);
    return FOREIGN_HEADS.some((signature) => head.includes(signature));
  }
  // An image that holds a PDF is a PDF to a viewer that looks for %PDF- anywhere.
  return data.includes(PDF_SIGNATURE);
}
