import sharp from 'sharp';

// Files for the attachment tests, made here rather than shipped: a small PDF, photos with the
// metadata a phone writes (GPS included, turned by EXIF orientation), and files that are not
// what their names say.

/** A minimal PDF (one empty page), as a school's letter is one. */
export function pdfBytes(text = '学年だより'): Buffer {
  return Buffer.from(
    [
      '%PDF-1.4',
      '%\xe2\xe3\xcf\xd3',
      '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
      '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj',
      `% ${Buffer.from(text).toString('hex')}`,
      'trailer << /Root 1 0 R >>',
      '%%EOF',
      '',
    ].join('\n'),
    'latin1',
  );
}

/** Words a test looks for to prove the metadata is gone. */
export const GPS_DESCRIPTION = 'GPS 35.6581N 139.7017E';

/**
 * A 400×200 JPEG that a phone held upright would write: EXIF orientation 6 (shown 200×400),
 * a GPS position and a description naming it.
 */
export function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 200, channels: 3, background: '#3a7' } })
    .jpeg()
    .withExif({
      IFD0: { ImageDescription: GPS_DESCRIPTION, Make: 'TestPhone' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 29/1', GPSProcessingMethod: 'GPS' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

export function pngBytes(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 4, background: '#00f8' } })
    .png()
    .toBuffer();
}

/** A JPEG with a ZIP archive behind it: a viewer shows the photo, an unzipper the archive. */
export async function jpegZipPolyglot(): Promise<Buffer> {
  const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
    .jpeg()
    .toBuffer();
  const zip = Buffer.from('PK\x03\x04\x14\x00\x00\x00\x00\x00evil.html<script>', 'latin1');
  return Buffer.concat([photo, zip, Buffer.from('PK\x05\x06' + '\x00'.repeat(18), 'latin1')]);
}

/** A PDF whose first kilobyte is also an HTML page. */
export function pdfHtmlPolyglot(): Buffer {
  return Buffer.concat([
    Buffer.from('%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n', 'latin1'),
    pdfBytes().subarray(9),
  ]);
}
