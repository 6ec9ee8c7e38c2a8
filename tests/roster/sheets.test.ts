import { schema } from '@renraku/db';
import { eq } from 'drizzle-orm';
import jsQR from 'jsqr';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  registrationSheetPdf,
  registrationSheets,
  type RegistrationSheet,
} from '../../apps/web/src/lib/server/roster';
import { ja } from '../../apps/web/src/lib/i18n/ja';
import {
  createClasses,
  createDistrict,
  createSchool,
  schoolAdmin,
  type SchoolFixture,
  useTestDatabase,
} from './fixtures';

// The sheets must work on paper: the QR codes are decoded here, from the print page's images
// and from the images inside the PDF, and the PDF's text is extracted with pdf.js.

const db = useTestDatabase();
let school: SchoolFixture;
let classes: Map<string, number>;
const PUBLIC_URL = 'https://renraku.example.jp/';

beforeAll(async () => {
  school = await createSchool(db, await createDistrict(db), { name: '若草小学校' });
  classes = await createClasses(db, school, [1, 2]);
  await db
    .update(schema.classes)
    .set({ authCode: 'KLMNPQRS' })
    .where(eq(schema.classes.id, classes.get('2:1組') ?? 0));
});

/** Decodes a QR code from RGBA pixels. */
function decodeQr(rgba: Uint8ClampedArray, width: number, height: number): string | undefined {
  return jsQR(rgba, width, height)?.data;
}

function decodePngDataUrl(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return decodeQr(new Uint8ClampedArray(png.data), png.width, png.height);
}

interface PdfPage {
  size: number[];
  text: string;
  qrCodes: string[];
}

interface PdfImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8ClampedArray;
}

/** Every page's text and the QR codes of its images, as a reader of the PDF would get them. */
async function readPdf(pdf: Buffer): Promise<PdfPage[]> {
  const document = await getDocument({
    data: new Uint8Array(pdf),
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const pages = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str : '')).join('');
    const operators = await page.getOperatorList();
    const qrCodes: string[] = [];
    for (const [index, op] of operators.fnArray.entries()) {
      if (op !== OPS.paintImageXObject) continue;
      const id = (operators.argsArray[index] as [string])[0];
      const image = await new Promise<PdfImage>((resolve) => page.objs.get(id, resolve));
      const rgba = new Uint8ClampedArray(image.width * image.height * 4);
      const channels = image.data.length / (image.width * image.height);
      for (let pixel = 0; pixel < image.width * image.height; pixel += 1) {
        for (let c = 0; c < 3; c += 1)
          rgba[pixel * 4 + c] = image.data[pixel * channels + (channels === 1 ? 0 : c)] ?? 0;
        rgba[pixel * 4 + 3] = 255;
      }
      const decoded = decodeQr(rgba, image.width, image.height);
      if (decoded) qrCodes.push(decoded);
    }
    pages.push({ size: page.view.map(Math.round), text, qrCodes });
  }
  await document.destroy();
  return pages;
}

describe('registration sheet data (print page)', () => {
  it('has both QR codes, decoding to the mailto: address and the login URL', async () => {
    const [sheet] = await registrationSheets(db, schoolAdmin(school), {
      schoolId: school.id,
      target: { kind: 'school' },
      publicUrl: PUBLIC_URL,
    });
    expect(sheet).toMatchObject({
      schoolName: '若草小学校',
      classLabel: null,
      registrationAddress: school.registrationAddress,
      mailtoUrl: `mailto:${school.registrationAddress}`,
      loginUrl: 'https://renraku.example.jp/login',
      authCode: 'ABCDEFGH',
      mailDomain: 'renraku.example.jp',
    });
    expect(decodePngDataUrl(sheet?.qr.mailto ?? '')).toBe(`mailto:${school.registrationAddress}`);
    expect(decodePngDataUrl(sheet?.qr.login ?? '')).toBe('https://renraku.example.jp/login');
    expect(sheet?.steps.map((s) => s.mark)).toEqual(['①', '②', '③', '④', '⑤']);
  });

  it('uses a class code where the class has one, and makes one sheet per class on request', async () => {
    const sheets = await registrationSheets(db, schoolAdmin(school), {
      schoolId: school.id,
      target: { kind: 'classes' },
      publicUrl: PUBLIC_URL,
    });
    expect(sheets.map((s) => [s.classLabel, s.authCode])).toEqual([
      ['1年1組', 'ABCDEFGH'],
      ['1年2組', 'ABCDEFGH'],
      ['2年1組', 'KLMNPQRS'],
      ['2年2組', 'ABCDEFGH'],
    ]);
    const other = await createSchool(db, school.districtId);
    const otherClass = (await createClasses(db, other, [1])).get('1:1組') ?? 0;
    await expect(
      registrationSheets(db, schoolAdmin(school), {
        schoolId: school.id,
        target: { kind: 'class', classId: otherClass },
        publicUrl: PUBLIC_URL,
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('registration sheet PDF', () => {
  let sheet: RegistrationSheet;
  let pages: PdfPage[];

  beforeAll(async () => {
    const input = {
      schoolId: school.id,
      target: { kind: 'class', classId: classes.get('2:1組') ?? 0 } as const,
      publicUrl: PUBLIC_URL,
    };
    [sheet] = (await registrationSheets(db, schoolAdmin(school), input)) as [RegistrationSheet];
    const pdf = await registrationSheetPdf(db, schoolAdmin(school), input);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    pages = await readPdf(pdf);
  });

  it('is one A4 page whose QR codes decode to the mailto: address and the login URL', () => {
    expect(pages).toHaveLength(1);
    expect(pages[0]?.size).toEqual([0, 0, 595, 842]);
    expect(pages[0]?.qrCodes).toEqual([
      `mailto:${school.registrationAddress}`,
      'https://renraku.example.jp/login',
    ]);
  });

  it('holds the school, class, address, auth code, the five steps and the key answers in Japanese', () => {
    const text = (pages[0]?.text ?? '').replace(/\s/g, '');
    const expected = [
      '若草小学校',
      'ご利用登録手順書',
      '2年1組',
      school.registrationAddress,
      'KLMNPQRS',
      'https://renraku.example.jp/login',
      ...sheet.steps.map((s) => `${s.mark}${s.title}`),
      'ドメイン指定着信',
      'renraku.example.jp',
      '件名や本文に何か文字',
      'フリーメールは推奨しません',
      '新規登録の人はこちら',
    ];
    for (const phrase of expected) expect(text, phrase).toContain(phrase.replace(/\s/g, ''));
  });

  it('names the buttons of the registration pages as they read (steps ③ and ④)', () => {
    const text = (pages[0]?.text ?? '').replace(/\s/g, '');
    expect(text).toContain(`「${ja['parent.code.submit']}」ボタンを押します`);
    expect(text).toContain(`「${ja['parent.details.submit']}」ボタンを押します`);
    expect(text).not.toContain('作成ボタン');
  });

  it('makes one page per class for a whole school', async () => {
    const pdf = await registrationSheetPdf(db, schoolAdmin(school), {
      schoolId: school.id,
      target: { kind: 'classes' },
      publicUrl: PUBLIC_URL,
    });
    const all = await readPdf(pdf);
    expect(all.map((p) => /(\d年\d組)/.exec(p.text)?.[1])).toEqual([
      '1年1組',
      '1年2組',
      '2年1組',
      '2年2組',
    ]);
    for (const page of all) expect(page.qrCodes).toHaveLength(2);
  });
});
