import iconv from 'iconv-lite';

// ISO-2022-JP for feature phones (ガラケー): JIS X 0208 in 7 bits, the only charset every
// Japanese carrier's older handsets show. Characters outside JIS X 0208 get a readable
// equivalent (①→(1), ㈱→(株), 髙→高) instead of the "?" or 〓 that a plain converter leaves.

/** JIS X 0208 rows: 1–8 symbols and kana, 16–84 kanji (row 13, NEC's specials, is not in it). */
const ROWS = [
  ...Array.from({ length: 8 }, (_, i) => i + 1),
  ...Array.from({ length: 69 }, (_, i) => i + 16),
];

let codes: Map<string, number> | undefined;

/**
 * Character → JIS code (two 7-bit bytes), read from iconv-lite's EUC-JP decoder so that
 * the mapping (～ for 1-33, － for 1-61…) is the one mail programs decode with.
 */
function jisCodes(): Map<string, number> {
  if (codes) return codes;
  codes = new Map();
  for (const row of ROWS) {
    for (let cell = 1; cell <= 94; cell++) {
      const char = iconv.decode(Buffer.from([row + 0xa0, cell + 0xa0]), 'euc-jp');
      if ([...char].length !== 1 || char === '\ufffd' || /[\ue000-\uf8ff]/.test(char)) continue;
      if (!codes.has(char)) codes.set(char, ((row + 0x20) << 8) | (cell + 0x20));
    }
  }
  return codes;
}

const circled = (from: number, count: number, start = 1) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [String.fromCodePoint(from + i), `(${i + start})`]),
  );
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

/**
 * Readable stand-ins for what phones cannot show: Windows (cp932) and Unicode extras that
 * schools type, the other Unicode forms of JIS characters, and the variant kanji of names.
 */
export const JIS_SUBSTITUTIONS: Readonly<Record<string, string>> = {
  ...circled(0x2460, 20),
  ...Object.fromEntries(ROMAN.map((r, i) => [String.fromCodePoint(0x2160 + i), r])),
  ...Object.fromEntries(ROMAN.map((r, i) => [String.fromCodePoint(0x2170 + i), r.toLowerCase()])),
  '㈱': '(株)',
  '㈲': '(有)',
  '㈹': '(代)',
  '㍿': '株式会社',
  '㍉': 'ミリ',
  '㌔': 'キロ',
  '㌢': 'センチ',
  '㍍': 'メートル',
  '㌘': 'グラム',
  '㌧': 'トン',
  '㌃': 'アール',
  '㌶': 'ヘクタール',
  '㍑': 'リットル',
  '㍗': 'ワット',
  '㌍': 'カロリー',
  '㌦': 'ドル',
  '㌣': 'セント',
  '㌫': 'パーセント',
  '㌻': 'ページ',
  '㎜': 'mm',
  '㎝': 'cm',
  '㎞': 'km',
  '㎎': 'mg',
  '㎏': 'kg',
  '㏄': 'cc',
  '㎡': 'm2',
  '㍻': '平成',
  '㍼': '昭和',
  '㍽': '大正',
  '㍾': '明治',
  '㋿': '令和',
  '№': 'No.',
  '℡': 'TEL',
  '™': 'TM',
  '©': '(c)',
  '®': '(R)',
  '∮': '∫',
  '∑': 'Σ',
  '∟': '∠',
  '⊿': '△',
  '〝': '“',
  '〟': '”',
  // The same JIS character under another code point (Unicode vs. Windows mappings).
  '〜': '～',
  '−': '－',
  '—': '―',
  '¢': '￠',
  '£': '￡',
  '¬': '￢',
  '‖': '∥',
  '¥': '￥',
  '\u00a0': ' ',
  // Variant kanji of names (IBM/NEC extensions, JIS X 0212/0213) → the JIS X 0208 form; the
  // compatibility ideographs (塚 U+FA10, 神 U+FA19…) need no entry, NFKC maps them.
  髙: '高',
  﨑: '崎',
  德: '徳',
  '𠮷': '吉',
  濵: '濱',
  栁: '柳',
  凞: '熙',
  瀨: '瀬',
  彅: '薙',
};

/** Pictographs and their joiners: dropped, a phone would show 〓 or nothing. */
const EMOJI =
  /\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\u200d|\ufe0e|\ufe0f|\u20e3/u;
/** What is left when nothing readable exists: a visible gap, never "?". */
const UNKNOWN = '□';

function encodable(text: string): boolean {
  const table = jisCodes();
  return [...text].every((char) => char.charCodeAt(0) < 0x80 || table.has(char));
}

/** One character as phones can show it. */
function substitute(char: string): string {
  if (char.charCodeAt(0) < 0x80 || jisCodes().has(char)) return char;
  const listed = JIS_SUBSTITUTIONS[char];
  if (listed !== undefined) return listed;
  if (EMOJI.test(char)) return '';
  // Half-width katakana and other compatibility forms; then accents stripped (é → e).
  const compatible = char.normalize('NFKC');
  if (encodable(compatible)) return compatible;
  const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
  return bare && encodable(bare) ? bare : UNKNOWN;
}

/**
 * Whether a feature phone reads the text as written: every character is in JIS X 0208 or has
 * a listed or compatible stand-in. Accents stripped (Tiếng Việt → Tieng Viet), Hangul or most
 * simplified characters (□) would lose the meaning, so such a text is not readable.
 */
export function readableInIso2022jp(text: string): boolean {
  return [...text].every((char) => {
    if (char.charCodeAt(0) < 0x80 || jisCodes().has(char) || JIS_SUBSTITUTIONS[char]) return true;
    return EMOJI.test(char) || /\s/.test(char) || encodable(char.normalize('NFKC'));
  });
}

/** Text in the JIS X 0208 repertoire: what a phone shows after decoding. */
export function toJisRepertoire(text: string): string {
  // Half-width kana with a separate (semi-)voiced mark become one full-width character.
  return [...text.replace(/[\uff61-\uff9f]+/g, (kana) => kana.normalize('NFKC'))]
    .map(substitute)
    .join('');
}

const TO_JIS = [0x1b, 0x24, 0x42]; // ESC $ B
const TO_ASCII = [0x1b, 0x28, 0x42]; // ESC ( B

/** One line (no line breaks) as ISO-2022-JP, ending in ASCII as RFC 1468 requires. */
function encodeLine(text: string): Buffer {
  const table = jisCodes();
  const bytes: number[] = [];
  let jis = false;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x80) {
      if (jis) bytes.push(...TO_ASCII);
      jis = false;
      bytes.push(code);
      continue;
    }
    const jisCode = table.get(char);
    if (jisCode === undefined) continue;
    if (!jis) bytes.push(...TO_JIS);
    jis = true;
    bytes.push(jisCode >> 8, jisCode & 0xff);
  }
  if (jis) bytes.push(...TO_ASCII);
  return Buffer.from(bytes);
}

/** SMTP allows 998 octets a line; a longer paragraph is broken at this many characters. */
const MAX_LINE_CHARS = 400;

/** A body as 7-bit ISO-2022-JP with CRLF line ends. */
export function encodeIso2022jpBody(text: string): Buffer {
  const lines = toJisRepertoire(text)
    .split(/\r?\n/)
    .flatMap((line) =>
      [...line].length <= MAX_LINE_CHARS ? [line] : chunks([...line], MAX_LINE_CHARS),
    );
  return Buffer.concat(lines.flatMap((line) => [encodeLine(line), Buffer.from('\r\n')]));
}

function chunks(chars: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** Encoded-word payload octets that keep each word within RFC 2047's 75 characters. */
const WORD_BYTES = 42;

/** A header value as RFC 2047 B-encoded ISO-2022-JP words, folded between words. */
export function encodeIso2022jpHeader(text: string): string {
  const words: string[] = [];
  let current = '';
  for (const char of toJisRepertoire(text).replace(/[\r\n]+/g, ' ')) {
    if (current && encodeLine(current + char).length > WORD_BYTES) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  if (current) words.push(current);
  return words
    .map((word) => `=?ISO-2022-JP?B?${encodeLine(word).toString('base64')}?=`)
    .join('\r\n ');
}
