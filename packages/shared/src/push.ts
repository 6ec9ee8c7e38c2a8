import { z } from 'zod';
import { publicUrlProblem, type PublicUrlOptions, type PublicUrlProblem } from './public-url';

// A browser's PushSubscription as its toJSON() gives it, checked before anything is stored:
// an endpoint the server may POST to, and keys of the lengths RFC 8291 needs.

/** The longest endpoint kept; real push services' are a few hundred characters. */
export const PUSH_ENDPOINT_MAX = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The bytes of unpadded (or padded) base64url, or undefined when it is not canonical base64url. */
export function base64urlBytes(value: string): Buffer | undefined {
  const bare = value.replace(/={1,2}$/, '');
  if (!BASE64URL.test(bare)) return undefined;
  const bytes = Buffer.from(bare, 'base64url');
  // Re-encoding catches stray bits in the last character, which Buffer ignores silently.
  return bytes.toString('base64url') === bare ? bytes : undefined;
}

/** An uncompressed P-256 point (0x04 | x | y), as PushManager gives p256dh. */
function isP256Point(value: string): boolean {
  const bytes = base64urlBytes(value);
  return bytes !== undefined && bytes.length === 65 && bytes[0] === 0x04;
}

/** The 16-byte authentication secret. */
function isAuthSecret(value: string): boolean {
  return base64urlBytes(value)?.length === 16;
}

const ENDPOINT_MESSAGES: Record<PublicUrlProblem, string> = {
  not_url: 'must be a URL',
  not_https: 'must be an https URL',
  credentials: 'must not carry a user name or password',
  port: 'must use the default https port',
  private_host: 'must point at a public push service, not a local or private address',
  unresolvable: 'must have a host name that resolves',
};

/** The subscription body of the subscribe endpoint; `options` is the test-only allowance. */
export function pushSubscriptionSchema(options: PublicUrlOptions = {}) {
  return z.object({
    endpoint: z
      .string()
      .max(PUSH_ENDPOINT_MAX, `must be at most ${PUSH_ENDPOINT_MAX} characters`)
      .superRefine((value, context) => {
        const problem = publicUrlProblem(value, options);
        if (problem) context.addIssue({ code: 'custom', message: ENDPOINT_MESSAGES[problem] });
      }),
    expirationTime: z.number().nullable().optional(),
    keys: z.object({
      p256dh: z.string().max(200).refine(isP256Point, {
        message: 'must be base64url of a 65-byte uncompressed P-256 public key',
      }),
      auth: z.string().max(100).refine(isAuthSecret, {
        message: 'must be base64url of 16 bytes',
      }),
    }),
  });
}

export type PushSubscriptionInput = z.infer<ReturnType<typeof pushSubscriptionSchema>>;
