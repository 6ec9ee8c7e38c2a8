import { readFileSync } from 'node:fs';

// Test support: the bounce fixtures of ./fixtures, shared by the unit and integration tests.

/** A fixture as a relay would deliver it, with the VERP tag and envelope id filled in. */
export function fixture(name: string, tag = '42-abc', envelopeId = '42'): Buffer {
  const text = readFileSync(new URL(`./fixtures/${name}.eml`, import.meta.url), 'latin1');
  return Buffer.from(
    text.replaceAll('{{TAG}}', tag).replaceAll('{{ENVID}}', envelopeId).replace(/\r?\n/g, '\r\n'),
    'latin1',
  );
}
