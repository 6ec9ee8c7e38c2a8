// Relays, carriers and bounce reports quote the recipient in every form mail allows, and the
// stored reply or diagnostic must hold none of them: the address is first brought to one
// plain form (encoded words decoded, NFKC so that ＠ and full-width letters become ASCII,
// %40, &#64; and (at) made @), then every address-like run is replaced.

const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;
/** Characters around an address; the rest of a run with @ in it is the address. */
const EMAIL_LIKE = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;
/** "any words"@domain: the quotes may hold spaces and even @. */
const QUOTED_LOCAL_PART = /"[^"]*"@[^\s<>()[\]"',;:]+/g;
/** The percent hack without an @: local%carrier.domain. */
const PERCENT_ADDRESS = /[^\s<>()[\]"',;:%@]+%[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
const AT_SPELLED = /\s*[([]\s*at\s*[)\]]\s*|\s+@\s*|\s*@\s+|&#0*64;|&#x0*40;|&commat;|%40/gi;

/** An RFC 2047 encoded word's text; a charset the runtime lacks is read byte by byte. */
function decodeEncodedWord(_: string, charset: string, encoding: string, data: string): string {
  const bytes =
    encoding.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (__, hex: string) =>
              String.fromCharCode(parseInt(hex, 16)),
            ),
          'latin1',
        );
  try {
    // RFC 2231 allows a language after '*' (utf-8*ja).
    return new TextDecoder(charset.replace(/\*.*$/, '')).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Relays quote the recipient in their replies; the stored reply must not carry it. */
export function scrubReply(text: string): string {
  return text
    .replace(ENCODED_WORD, decodeEncodedWord)
    .normalize('NFKC')
    .replace(AT_SPELLED, '@')
    .replace(QUOTED_LOCAL_PART, 'recipient')
    .replace(EMAIL_LIKE, 'recipient')
    .replace(PERCENT_ADDRESS, 'recipient')
    .slice(0, 500);
}
