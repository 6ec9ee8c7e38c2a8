import type { AttachmentKind } from '@renraku/shared';

// The name a file is listed and downloaded under: what the sender's computer called it, less
// any folder (C:\Users\…, a phone's /storage/…), control and invisible format characters
// (bidi overrides that make 「‮fdp.exe」 read as another name) and broken encoding, with the
// extension of what it really is, so a PDF named report.html is saved as report.html.pdf.

/** Characters kept of a name: enough for any real file name, short in a mail's line. */
const NAME_MAX = 100;

const EXTENSIONS: Record<AttachmentKind, string[]> = {
  pdf: ['.pdf'],
  jpeg: ['.jpg', '.jpeg'],
  png: ['.png'],
};

/** Controls, format characters, line and paragraph separators, U+FFFD, lone surrogates. */
const UNWANTED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\ufffd]/gu;

export function cleanFileName(raw: string, kind: AttachmentKind): string {
  const base = raw.split(/[/\\]/).at(-1) ?? '';
  const cleaned = base.normalize('NFC').replace(UNWANTED, '').trim().replace(/^\.+/, '');
  const extensions = EXTENSIONS[kind];
  const lower = cleaned.toLowerCase();
  const named = extensions.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
  const full = named ? cleaned : `${cleaned || 'attachment'}${extensions[0]!}`;
  if ([...full].length <= NAME_MAX) return full;
  // Cut the stem, never the extension.
  const ext = full.slice(full.lastIndexOf('.'));
  return `${[...full.slice(0, full.lastIndexOf('.'))].slice(0, NAME_MAX - ext.length).join('')}${ext}`;
}
