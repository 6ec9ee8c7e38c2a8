import type { AttachmentKind } from '@renraku/shared';
import sharp from 'sharp';

// A photo is decoded and encoded anew: what comes out is the pixels and nothing else, so EXIF
// (the phone's GPS position, its owner's name), comments and anything appended behind the
// image are gone. The EXIF orientation is applied first, so a portrait photo stays upright.

/** The preview's longer side: a feature phone's screen width, and a few KB. */
const PREVIEW_PX = 320;
/** A 40-megapixel photo is more than any phone takes; a bigger "image" is a decompression bomb. */
const MAX_PIXELS = 40_000_000;

export interface ProcessedImage {
  content: Buffer;
  preview: { content: Buffer; width: number; height: number };
}

/** @throws when the bytes are not a decodable image of that kind */
export async function reencodeImage(
  bytes: Uint8Array,
  kind: Exclude<AttachmentKind, 'pdf'>,
): Promise<ProcessedImage> {
  const upright = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_PIXELS }).rotate();
  const content =
    kind === 'jpeg'
      ? await upright.jpeg({ quality: 85 }).toBuffer()
      : await upright.png({ compressionLevel: 9 }).toBuffer();
  const { data, info } = await sharp(content)
    .resize(PREVIEW_PX, PREVIEW_PX, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 70 })
    .toBuffer({ resolveWithObject: true });
  return { content, preview: { content: data, width: info.width, height: info.height } };
}
