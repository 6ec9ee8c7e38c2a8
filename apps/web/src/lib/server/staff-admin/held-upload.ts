import { createHash } from 'node:crypto';
import { sign, verifySignature, type Keys } from '@renraku/shared/crypto';
import { ServiceError } from '@renraku/shared';
import { MAX_FILE_BYTES } from '../roster';

// Keeping an uploaded file between its dry-run preview and the confirmation (取り込む / 年度更新
// を実行). Decision: the preview page carries the file back in hidden form fields (base64), sealed
// with an HMAC over who uploaded it, for which school and purpose, when, and the file's SHA-256.
// So the confirmation imports exactly the bytes that were previewed, without a re-upload (a form
// cannot re-select a file, with or without JavaScript), without server-side storage (several web
// processes may serve one school PC's requests), and a sealed file cannot be replayed by another
// staff member, for another school or purpose, or after HOLD_MS.

/** Long enough to read a preview of a big school and decide; short enough to not linger. */
const HOLD_MS = 60 * 60 * 1000;
/** A full-length HMAC-SHA256 in base64url. */
const SEAL_LENGTH = 43;

/** Who may release a held file, and what for. */
export interface HoldOwner {
  staffUserId: number;
  schoolId: number;
  purpose: 'roster' | 'rollover';
}

/** The hidden fields of the confirmation form. */
export interface HeldUpload {
  heldFile: string;
  heldAt: string;
  heldSeal: string;
}

/** What the seal covers: who, which school, what for, when, and exactly which bytes. */
function sealedSubject(owner: HoldOwner, heldAt: string, file: Uint8Array): string {
  const digest = createHash('sha256').update(file).digest('hex');
  return `${owner.purpose}:${owner.staffUserId}:${owner.schoolId}:${heldAt}:${digest}`;
}

/** Seals a previewed file for the confirmation form. */
export function holdUpload(
  keys: Keys,
  owner: HoldOwner,
  file: Uint8Array,
  now = new Date(),
): HeldUpload {
  const heldAt = String(now.getTime());
  return {
    heldFile: Buffer.from(file).toString('base64'),
    heldAt,
    heldSeal: sign(keys, sealedSubject(owner, heldAt, file), SEAL_LENGTH),
  };
}

/** Where the file may come from, and whether the form is useless without one. */
export interface UploadOptions {
  field?: string;
  required: boolean;
  now?: Date;
}

/**
 * The file of a form post: a newly chosen file in `field` when there is one, else the sealed
 * file of the preview (a confirmation passes no `field`: it runs only what was previewed).
 * `required: false` returns undefined when neither is there (the roll-over's file is optional).
 */
export async function uploadedFile(
  form: FormData,
  keys: Keys,
  owner: HoldOwner,
  options: UploadOptions & { required: true },
): Promise<Uint8Array>;
export async function uploadedFile(
  form: FormData,
  keys: Keys,
  owner: HoldOwner,
  options: UploadOptions,
): Promise<Uint8Array | undefined>;
export async function uploadedFile(
  form: FormData,
  keys: Keys,
  owner: HoldOwner,
  options: UploadOptions,
): Promise<Uint8Array | undefined> {
  const chosen = options.field === undefined ? null : form.get(options.field);
  if (chosen instanceof File && chosen.size > 0) {
    if (chosen.size > MAX_FILE_BYTES) {
      throw new ServiceError('invalid', 'refusal.csv.tooLarge', {
        megabytes: MAX_FILE_BYTES / 1024 / 1024,
      });
    }
    return new Uint8Array(await chosen.arrayBuffer());
  }
  const heldFile = form.get('heldFile');
  const heldAt = form.get('heldAt');
  const heldSeal = form.get('heldSeal');
  if (typeof heldFile !== 'string' || typeof heldAt !== 'string' || typeof heldSeal !== 'string') {
    if (!options.required) return undefined;
    throw new ServiceError('invalid', 'refusal.upload.chooseCsv');
  }
  const file = new Uint8Array(Buffer.from(heldFile, 'base64'));
  const age = (options.now ?? new Date()).getTime() - Number(heldAt);
  if (
    !(age >= 0 && age <= HOLD_MS) ||
    !verifySignature(keys, sealedSubject(owner, heldAt, file), heldSeal, SEAL_LENGTH)
  ) {
    throw new ServiceError('invalid', 'refusal.upload.expired');
  }
  return file;
}
