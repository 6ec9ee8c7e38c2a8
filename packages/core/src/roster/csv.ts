import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { ServiceError, toKatakana } from '@renraku/shared';

// Spreadsheet files as a school office saves them: Excel's 「CSV (コンマ区切り)」 is Shift_JIS
// (CP932), 「CSV UTF-8」 has a BOM, Google Sheets and LibreOffice write UTF-8 without one, and
// 「Unicode テキスト」 is tab-separated UTF-16. Rows are numbered as the spreadsheet shows them.

/** A roster of a large junior high is well under 1 MB; 5 MB leaves room without inviting abuse. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Data rows per file: more than any school, far fewer than would strain one transaction. */
export const MAX_ROWS = 20_000;

/** Bytes to text: UTF-16 or UTF-8 by BOM, UTF-8 when the bytes are valid UTF-8, else CP932. */
export function decodeSpreadsheetText(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new ServiceError('invalid', 'refusal.csv.empty');
  if (bytes.length > MAX_FILE_BYTES) {
    throw new ServiceError('invalid', 'refusal.csv.tooLarge', {
      megabytes: MAX_FILE_BYTES / 1024 / 1024,
    });
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    // Strips a UTF-8 BOM itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = iconv.decode(Buffer.from(bytes), 'cp932');
    if (text.includes('\ufffd')) {
      throw new ServiceError('invalid', 'refusal.csv.encoding');
    }
    return text;
  }
}

/** A data row with the number the school sees in its spreadsheet, for messages. */
export interface SpreadsheetRow {
  /** The row number the spreadsheet shows (the header is row 1). */
  row: number;
  cells: string[];
}

/** A parsed file: the header row and the non-blank data rows. */
export interface SpreadsheetTable {
  header: string[];
  rows: SpreadsheetRow[];
}

/** Parses CSV (or tab-separated text); blank rows are dropped but keep their numbers. */
export function readTable(text: string): SpreadsheetTable {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = count(firstLine, '\t') > count(firstLine, ',') ? '\t' : ',';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
      skip_empty_lines: false,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw typeof error.lines === 'number'
      ? new ServiceError('invalid', 'refusal.csv.malformedNear', { line: error.lines })
      : new ServiceError('invalid', 'refusal.csv.malformed');
  }
  const [header, ...data] = records;
  if (!header || header.every((cell) => cell === '')) {
    throw new ServiceError('invalid', 'refusal.csv.noHeader');
  }
  const rows = data
    .map((cells, index) => ({ row: index + 2, cells }))
    .filter(({ cells }) => cells.some((cell) => cell !== ''));
  if (rows.length === 0) throw new ServiceError('invalid', 'refusal.csv.noRows');
  if (rows.length > MAX_ROWS) {
    throw new ServiceError('invalid', 'refusal.csv.tooManyRows', {
      rows: rows.length,
      max: MAX_ROWS.toLocaleString('ja-JP'),
    });
  }
  return { header, rows };
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

/**
 * Header text reduced to what identifies a column: NFKC, lower case, katakana, no spaces,
 * brackets or separators, so 「ふりがな」, 「フリガナ」 and 「ﾌﾘｶﾞﾅ」, or `Roster_Number` and
 * `roster number`, are one column.
 */
export function headerKey(text: string): string {
  return toKatakana(text.normalize('NFKC').toLowerCase()).replace(
    /[\s_\-.・:：()[\]{}（）【】「」<>＜＞]/g,
    '',
  );
}

/** Where each known column is, and which columns are left for the caller. */
export interface ColumnMap<K extends string> {
  columns: Partial<Record<K, number>>;
  /** Columns no alias named, by index. */
  rest: number[];
}

/** Finds each wanted column by its aliases; a column named twice is refused. */
export function mapColumns<K extends string>(
  header: readonly string[],
  aliases: Record<K, readonly string[]>,
): ColumnMap<K> {
  const byKey = new Map<string, K>();
  for (const [column, names] of Object.entries(aliases) as [K, readonly string[]][]) {
    for (const name of names) byKey.set(headerKey(name), column);
  }
  const columns: Partial<Record<K, number>> = {};
  const rest: number[] = [];
  header.forEach((text, index) => {
    const column = byKey.get(headerKey(text));
    if (column === undefined) {
      rest.push(index);
    } else if (columns[column] !== undefined) {
      throw new ServiceError('invalid', 'refusal.csv.duplicateColumn', { column: text });
    } else {
      columns[column] = index;
    }
  });
  return { columns, rest };
}

/** Column names as Excel users write them, in Japanese and English. */
export const COLUMN_ALIASES = {
  rosterNumber: [
    '学籍番号',
    '児童番号',
    '生徒番号',
    '児童生徒番号',
    '名簿番号',
    '個人番号',
    'roster_number',
    'student_number',
    'student_id',
  ],
  /** 出席番号 restarts in every class: accepted only when no school-wide number column exists. */
  attendanceNumber: ['出席番号', '番号', 'no'],
  grade: ['学年', '年', 'grade'],
  className: ['組', 'クラス', '学級', '組名', 'クラス名', '学級名', 'class', 'class_name'],
  name: ['氏名', '名前', '児童氏名', '生徒氏名', '児童生徒氏名', 'name', 'full_name'],
  familyName: ['姓', '氏', 'family_name', 'last_name'],
  givenName: ['名', 'given_name', 'first_name'],
  kana: [
    'ふりがな',
    'かな',
    'よみがな',
    'よみ',
    '氏名カナ',
    '氏名かな',
    '氏名ふりがな',
    'カナ氏名',
    'kana',
    'furigana',
  ],
  familyKana: ['セイ', '姓カナ', '姓ふりがな', 'family_kana'],
  givenKana: ['メイ', '名カナ', '名ふりがな', 'given_kana'],
  household: [
    '世帯番号',
    '世帯',
    '世帯キー',
    '世帯コード',
    '家庭番号',
    '家族番号',
    'household',
    'household_key',
    'household_id',
  ],
} as const;

/** Any column about a telephone: 電話1, 自宅電話, 携帯電話（母）, 緊急連絡先, phone2, tel. */
export function isPhoneHeader(text: string): boolean {
  const key = headerKey(text);
  return /電話|連絡先|携帯|^tel|^phone/.test(key);
}
