// The one rule for the characters of text that people enter (staff and parents alike) and
// that ends up in mails, lists and the audit: subjects, bodies, names, class and token names.
// Control characters would break a mail's headers or signature, bidi overrides make a name or
// a subject read differently from what it is (「‮gpj.exe」), and U+FFFD or a lone surrogate is
// what broken encoding leaves behind: each is refused, never stored.

/** C0 and C1 controls and DEL, except tab, LF and CR (a body's lines; see `multiline`). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/;
/** LRE RLE PDF LRO RLO, and LRI RLI FSI PDI. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
/** U+FFFD and lone surrogates (stored, a lone surrogate becomes U+FFFD). */
const BROKEN_ENCODING = /[\ufffd\p{Cs}]/u;
/** Every invisible format character (zero-width space, BOM, bidi marks, …). */
const FORMAT_CHARACTERS = /\p{Cf}/u;

/** Why a text was refused. */
export type TextFault = 'broken_encoding' | 'bidi_control' | 'line_break' | 'control' | 'invisible';

/**
 * What is wrong with a text that people entered, or null. `multiline` allows tab and line
 * breaks (a message body); a one-line text (subject, name) refuses them too.
 */
export function textFault(value: string, options: { multiline: boolean }): TextFault | null {
  if (BROKEN_ENCODING.test(value)) return 'broken_encoding';
  if (BIDI_CONTROLS.test(value)) return 'bidi_control';
  if (!options.multiline && LINE_BREAKS.test(value)) return 'line_break';
  if (CONTROLS.test(value)) return 'control';
  return null;
}

/**
 * A name (a person's, a class's, a token's): one line, and no invisible format character at
 * all, since two names that look the same must be the same name.
 */
export function nameFault(value: string): TextFault | null {
  return (
    textFault(value, { multiline: false }) ?? (FORMAT_CHARACTERS.test(value) ? 'invisible' : null)
  );
}
