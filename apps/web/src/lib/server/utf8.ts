// Request bodies are decoded strictly: a byte sequence that is not UTF-8 is refused with 400,
// never turned into U+FFFD and stored (the default decoders replace silently).

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

const isHex = (byte: number | undefined) =>
  byte !== undefined &&
  ((byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x46) ||
    (byte >= 0x61 && byte <= 0x66));

/** The octets a percent-encoded form value stands for (`%E3%81%82` → three bytes). */
function percentDecoded(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25 && isHex(raw[i + 1]) && isHex(raw[i + 2])) {
      out[length++] = parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16);
      i += 2;
    } else {
      out[length++] = raw[i]!;
    }
  }
  return out.subarray(0, length);
}

/** True when an application/x-www-form-urlencoded body is UTF-8, raw and percent-decoded. */
export function isUtf8Form(body: Uint8Array): boolean {
  return decodeUtf8(body) !== null && decodeUtf8(percentDecoded(body)) !== null;
}
