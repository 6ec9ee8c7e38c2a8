import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { findSchoolClassById, type Db, type RosterSchool } from '@renraku/db';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { ServiceError } from '@renraku/shared';
import { t } from '../../i18n';
import { currentClasses, loadAdminSchool, type StaffActor } from '@renraku/core/roster';

// The registration sheet (ご利用登録手順書) that schools hand to parents: the leaflet's five steps
// in Japanese, the auth code, and two QR codes — top: mailto: the school's registration address
// (step ①), with the address in text beneath for phones that cannot read a QR code; bottom: the
// login page (the leaflet's maintenance code). The same data feeds the print page and the PDF.
// The PDF embeds BIZ UDPGothic (a Universal Design font made for school and public documents,
// from an npm package, so `pnpm install` is all a server needs).

/** Which sheets: one for the school (its code), one class, or one per class of the current year. */
export type SheetTarget =
  { kind: 'school' } | { kind: 'class'; classId: number } | { kind: 'classes' };

/** One of the leaflet's five steps (① 空メールを送る …). */
export interface SheetStep {
  mark: string;
  title: string;
  body: string;
}

/** A question parents ask, answered on the sheet before they have to phone the school. */
export interface SheetQuestion {
  question: string;
  answer: string;
}

/** Everything one printed sheet shows; the print page renders it as it is. */
export interface RegistrationSheet {
  schoolName: string;
  /** 「2年1組」 on a class sheet, null on the school's. */
  classLabel: string | null;
  registrationAddress: string;
  mailtoUrl: string;
  loginUrl: string;
  authCode: string;
  /** The domain parents allow in their phone's spam filter (ドメイン指定着信). */
  mailDomain: string;
  steps: SheetStep[];
  faq: SheetQuestion[];
  notes: string[];
  /** PNG data URLs (render with image-rendering: pixelated); the PDF embeds the same images. */
  qr: { mailto: string; login: string };
}

/** Which sheets, and the public URL the login QR code points at. */
export interface SheetInput {
  schoolId: number;
  target: SheetTarget;
  /** PUBLIC_URL from the web app's env: the login QR code points at `${publicUrl}/login`. */
  publicUrl: string;
  now?: Date;
}

/** The leaflet calls the sheet by this name; parents look for it. */
export const SHEET_TITLE = '緊急連絡メール ご利用登録手順書';

/** The sheets' content for the print page; readable only by the school's admins (auth code). */
export async function registrationSheets(
  db: Db,
  actor: StaffActor,
  input: SheetInput,
): Promise<RegistrationSheet[]> {
  const school = await loadAdminSchool(db, actor.scope, input.schoolId);
  const sheets: RegistrationSheet[] = [];
  for (const { classLabel, authCode } of await sheetCodes(db, school, input)) {
    sheets.push(await sheetOf(school, classLabel, authCode, input.publicUrl));
  }
  return sheets;
}

/** The same sheets as an A4 PDF, one page each. */
export async function registrationSheetPdf(
  db: Db,
  actor: StaffActor,
  input: SheetInput,
): Promise<Buffer> {
  return renderSheetsPdf(await registrationSheets(db, actor, input));
}

async function sheetCodes(
  db: Db,
  school: RosterSchool,
  input: SheetInput,
): Promise<{ classLabel: string | null; authCode: string }[]> {
  const { target } = input;
  if (target.kind === 'school') return [{ classLabel: null, authCode: school.authCode }];
  const classes =
    target.kind === 'class'
      ? [await findSchoolClassById(db, school.id, target.classId)]
      : (await currentClasses(db, school.id, input.now)).classes;
  if (classes.length === 0 || classes.some((c) => c === undefined)) {
    throw new ServiceError('not_found', 'refusal.class.notInSchool');
  }
  return classes.map((c) => ({
    classLabel: c ? `${c.grade}年${c.name}` : null,
    authCode: c?.authCode ?? school.authCode,
  }));
}

async function sheetOf(
  school: RosterSchool,
  classLabel: string | null,
  authCode: string,
  publicUrl: string,
): Promise<RegistrationSheet> {
  const mailtoUrl = `mailto:${school.registrationAddress}`;
  const loginUrl = `${publicUrl.replace(/\/+$/, '')}/login`;
  const mailDomain = school.registrationAddress.slice(school.registrationAddress.indexOf('@') + 1);
  return {
    schoolName: school.name,
    classLabel,
    registrationAddress: school.registrationAddress,
    mailtoUrl,
    loginUrl,
    authCode,
    mailDomain,
    steps: STEPS,
    faq: faqFor(mailDomain),
    notes: NOTES,
    qr: { mailto: await qrDataUrl(mailtoUrl), login: await qrDataUrl(loginUrl) },
  };
}

/** A button or choice of the registration pages, named as they show it (the same i18n key). */
const onPage = (key: Parameters<typeof t>[1]) => `「${t('ja', key)}」`;

const STEPS: SheetStep[] = [
  {
    mark: '①',
    title: '空メールを送る',
    body: '上の QR コードを読み取り、表示されたアドレスにメールを送ります。件名・本文は何でもかまいません。QR コードが読み取れないときは、QR コードの下のアドレスに直接送ってください。',
  },
  {
    mark: '②',
    title: '登録用メールが届く',
    body: `届いたメールにある URL を開き、${onPage('parent.link.new')}を選びます。`,
  },
  {
    mark: '③',
    title: '認証コードを入力する',
    body: `この手順書に書かれている認証コードを入力し、${onPage('parent.code.submit')}ボタンを押します。`,
  },
  {
    mark: '④',
    title: '必要事項を入力する',
    body: `ID、パスワード、氏名、カナ、学年、クラスを入力し、${onPage('parent.details.submit')}ボタンを押します（番号の入力は不要です）。お子さまの氏名はニックネームを使わず、正確に入力してください。`,
  },
  {
    mark: '⑤',
    title: '登録完了',
    body: '登録完了の確認メールが届きます。届かない場合は、もう一度①から登録してください。',
  },
];

function faqFor(mailDomain: string): SheetQuestion[] {
  return [
    {
      question: '空メールを送ったのに、登録用メールが届きません。',
      answer: `迷惑メール防止機能が働いている可能性があります。「ドメイン指定着信（ドメイン指定受信）」で「${mailDomain}」からのメールを受信できるように設定してください。設定方法は、携帯電話の各ショップ等にお問い合わせください。`,
    },
    {
      question: 'メールの送信ボタンが押せません。',
      answer:
        '機種によっては、件名や本文が空だと送信できません。件名や本文に何か文字（例：「登録」）を入力してから送信してください。',
    },
    {
      question: 'Yahoo!メールや Gmail などのフリーメールで登録してもいいですか。',
      answer:
        'フリーメールは推奨しません。情報の確認はできますが、配信後すぐに通知されないことがあります。',
    },
    {
      question: 'QR コードを読み取ったらログイン画面が表示され、ID やパスワードがわかりません。',
      answer:
        '下のログイン用 QR コードを読み取っています。新規登録は、上の空メール用 QR コードから行ってください。',
    },
    {
      question: 'きょうだいがすでに登録しています。',
      answer: 'お子さまごとに、新しい ID で登録してください。学年ごとの情報を受け取れます。',
    },
  ];
}

const NOTES = [
  '一人のお子さまにつき、三人まで登録できます。お子さまのアドレスは、保護者のアドレスを登録した後に登録してください。',
  '学年の更新、転出・卒業時の登録情報の削除は学校が行います。',
  '学校は、登録されたメールアドレスを見ることはできません。',
  '登録は無料ですが、通信料はご負担ください。',
];

const LOGIN_CAPTION = 'ログイン用（登録内容の変更・アドレスの追加・退会）';
const MAILTO_CAPTION = '① 空メール送信用 QR コード';

/** Whole pixels per module, so the code stays sharp on screen, on paper and for a decoder. */
async function qrDataUrl(text: string): Promise<string> {
  return `data:image/png;base64,${(await qrPng(text)).toString('base64')}`;
}

function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
}

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;

/** Read once per process: the TTFs are 4.5 MB each, and pdfkit embeds only the glyphs used. */
function sheetFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(
      require.resolve('@expo-google-fonts/biz-udpgothic/400Regular/BIZUDPGothic_400Regular.ttf'),
    ),
    bold: readFileSync(
      require.resolve('@expo-google-fonts/biz-udpgothic/700Bold/BIZUDPGothic_700Bold.ttf'),
    ),
  };
  return fonts;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 36;
const TEXT_WIDTH = A4.width - MARGIN * 2;

/** Lays the sheets out on A4 pages, one sheet per page. */
export async function renderSheetsPdf(sheets: readonly RegistrationSheet[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: SHEET_TITLE, Creator: 'Renraku' },
  });
  const { regular, bold } = sheetFonts();
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const sheet of sheets) {
    doc.addPage();
    drawSheet(doc, sheet, {
      mailto: await qrPng(sheet.mailtoUrl),
      login: await qrPng(sheet.loginUrl),
    });
  }
  doc.end();
  return done;
}

function drawSheet(
  doc: PDFKit.PDFDocument,
  sheet: RegistrationSheet,
  qr: { mailto: Buffer; login: Buffer },
): void {
  const left = MARGIN;
  doc.font('bold').fontSize(16).text(`${sheet.schoolName}\u3000${SHEET_TITLE}`, left, MARGIN, {
    width: TEXT_WIDTH,
    align: 'center',
  });
  if (sheet.classLabel) {
    doc.fontSize(12).text(sheet.classLabel, { width: TEXT_WIDTH, align: 'center' });
  }
  doc
    .font('regular')
    .fontSize(9)
    .moveDown(0.4)
    .text(
      '保護者の皆様へ\u3000学校や教育委員会からの緊急連絡・緊急情報・教育情報をメールでお届けします。次の手順で登録してください。',
      { width: TEXT_WIDTH },
    );

  // Top: the empty-mail QR code with the address beneath it, the auth code beside it.
  const top = doc.y + 10;
  const qrSize = 144;
  doc.font('bold').fontSize(10).text(MAILTO_CAPTION, left, top, { width: qrSize, align: 'center' });
  doc.image(qr.mailto, left, top + 14, { width: qrSize, height: qrSize });
  const besideX = left + qrSize + 24;
  const besideWidth = TEXT_WIDTH - qrSize - 24;
  doc
    .font('bold')
    .fontSize(11)
    .text('認証コード（手順③で入力します）', besideX, top + 24);
  const boxTop = doc.y + 6;
  doc.rect(besideX, boxTop, 220, 48).lineWidth(1.5).stroke();
  doc
    .font('bold')
    .fontSize(28)
    .text(sheet.authCode, besideX, boxTop + 9, {
      width: 220,
      align: 'center',
      characterSpacing: 4,
    });
  doc
    .font('regular')
    .fontSize(9)
    .text(
      '※認証コードは登録のときだけ使います。この手順書は登録が終わるまで大切に保管してください。',
      besideX,
      boxTop + 58,
      { width: besideWidth },
    );
  doc
    .font('regular')
    .fontSize(9.5)
    .text(
      'QR コードが読み取れないときは、次のアドレスに直接、空メールを送ってください。',
      left,
      top + 14 + qrSize + 4,
      { width: TEXT_WIDTH },
    );
  doc
    .font('bold')
    .fontSize(14)
    .text(sheet.registrationAddress, left, doc.y + 2, { width: TEXT_WIDTH });

  // The five steps.
  let y = doc.y + 10;
  doc.font('bold').fontSize(11).text('登録の手順', left, y);
  for (const step of sheet.steps) {
    doc
      .font('bold')
      .fontSize(10.5)
      .text(`${step.mark} ${step.title}`, left, doc.y + 4);
    doc
      .font('regular')
      .fontSize(9.5)
      .text(step.body, left + 14, doc.y + 1, { width: TEXT_WIDTH - 14 });
  }

  // The questions parents ask most.
  doc
    .font('bold')
    .fontSize(11)
    .text('よくある質問', left, doc.y + 10);
  for (const item of sheet.faq) {
    doc
      .font('bold')
      .fontSize(9.5)
      .text(`Ｑ ${item.question}`, left, doc.y + 4, { width: TEXT_WIDTH });
    doc
      .font('regular')
      .fontSize(9.5)
      .text(`Ａ ${item.answer}`, left + 14, doc.y + 1, {
        width: TEXT_WIDTH - 14,
      });
  }
  doc.moveDown(0.6);
  for (const note of sheet.notes) {
    doc
      .font('regular')
      .fontSize(9)
      .text(`・${note}`, left, doc.y + 1, { width: TEXT_WIDTH });
  }

  // Bottom: the login QR code, kept apart from the top one.
  const loginSize = 96;
  y = A4.height - MARGIN - loginSize - 16;
  doc
    .moveTo(left, y - 8)
    .lineTo(left + TEXT_WIDTH, y - 8)
    .dash(3, { space: 3 })
    .stroke()
    .undash();
  doc.image(qr.login, left, y, { width: loginSize, height: loginSize });
  doc
    .font('bold')
    .fontSize(10)
    .text(LOGIN_CAPTION, left + loginSize + 16, y + 8, {
      width: TEXT_WIDTH - loginSize - 16,
    });
  doc
    .font('regular')
    .fontSize(9)
    .text(
      '登録後に、登録内容の変更、アドレスの追加・変更、パスワードの再設定、退会をするときに使います。新規登録には上の QR コードを使ってください。',
      { width: TEXT_WIDTH - loginSize - 16 },
    );
  doc
    .font('bold')
    .fontSize(10)
    .text(sheet.loginUrl, { width: TEXT_WIDTH - loginSize - 16 });
}
