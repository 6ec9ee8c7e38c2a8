import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPolyglot, recogniseKind } from './content';

const pdf = Buffer.from(
  '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
let jpeg: Buffer;
let png: Buffer;

beforeAll(async () => {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } });
  jpeg = await image.clone().jpeg().toBuffer();
  png = await image.clone().png().toBuffer();
});

describe('recogniseKind', () => {
  it('knows PDF, JPEG and PNG by their first bytes', () => {
    expect(recogniseKind(pdf)).toBe('pdf');
    expect(recogniseKind(jpeg)).toBe('jpeg');
    expect(recogniseKind(png)).toBe('png');
  });

  it('knows nothing else, whatever a name would say', () => {
    const others = [
      Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'),
      Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'),
      Buffer.from('<html><body>hi</body></html>'),
      Buffer.from('MZ\x90\x00\x03'),
      // %PDF- not at byte 0.
      Buffer.concat([Buffer.from(' '), pdf]),
      Buffer.concat([Buffer.from('<html>'), pdf]),
      Buffer.from('%PDF'),
      Buffer.from([0xff, 0xd8]),
      Buffer.alloc(0),
    ];
    for (const bytes of others) expect(recogniseKind(bytes)).toBeNull();
  });
});

describe('isPolyglot', () => {
  it('passes clean files', () => {
    expect(isPolyglot(pdf, 'pdf')).toBe(false);
    expect(isPolyglot(jpeg, 'jpeg')).toBe(false);
    expect(isPolyglot(png, 'png')).toBe(false);
  });

  it('refuses an image that also carries a PDF, a ZIP or a page', () => {
    const zip = Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00payload', 'latin1');
    for (const tail of [pdf, zip, Buffer.from('<script>alert(1)</script>')]) {
      expect(isPolyglot(Buffer.concat([jpeg, tail]), 'jpeg')).toBe(true);
      expect(isPolyglot(Buffer.concat([png, tail]), 'png')).toBe(true);
    }
    // A ZIP's end record alone, as at the end of a JPEG+ZIP.
    const end = Buffer.from('PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00', 'latin1');
    expect(isPolyglot(Buffer.concat([jpeg, end, Buffer.alloc(10)]), 'jpeg')).toBe(true);
  });

  it('refuses a PDF whose start holds another format or a page', () => {
    const withHead = (head: string | Buffer) =>
      Buffer.concat([pdf.subarray(0, 9), Buffer.from(head as string, 'latin1'), pdf.subarray(9)]);
    expect(isPolyglot(withHead('<html><body>'), 'pdf')).toBe(true);
    expect(isPolyglot(withHead('<SCRIPT>x</SCRIPT>'), 'pdf')).toBe(true);
    expect(isPolyglot(withHead('<!DOCTYPE html>'), 'pdf')).toBe(true);
    expect(isPolyglot(withHead(jpeg.subarray(0, 4)), 'pdf')).toBe(true);
    expect(isPolyglot(withHead('GIF89a'), 'pdf')).toBe(true);
    expect(isPolyglot(withHead('PK\x03\x04\x14\x00'), 'pdf')).toBe(true);
  });

  it('passes a scanned letter whose first object is a JPEG stream', () => {
    const scan = Buffer.concat([
      Buffer.from(
        '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Filter /DCTDecode >>\nstream\n',
        'latin1',
      ),
      jpeg,
      Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
    ]);
    expect(isPolyglot(scan, 'pdf')).toBe(false);
  });

  it('does not mistake a PDF comment or a word for markup', () => {
    const words = Buffer.from('%PDF-1.7\n% about the html tag and scripts\n%%EOF\n', 'latin1');
    expect(isPolyglot(words, 'pdf')).toBe(false);
  });
});
