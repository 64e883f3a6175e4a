import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePemCertificates } from './pem.js';

const block = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

describe('parsePemCertificates', () => {
  it('reads every block, an empty keychain as none, and drops a block cut short', () => {
    expect(parsePemCertificates(`${block('QUJD')}${block('REVG')}`)).toEqual({ ok: true, value: [block('QUJD'), block('REVG')], problems: [] });
    expect(parsePemCertificates('')).toEqual({ ok: true, value: [], problems: [] });
    expect(parsePemCertificates(`-----BEGIN CERTIFICATE-----\nQUJD\n${block('REVG')}`)).toEqual({ ok: true, value: [block('REVG')], problems: ['a certificate at offset 0 has no END line'] });
    expect(parsePemCertificates('security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.')).toMatchObject({ ok: false });
  });

  it('never throws (property) and stays linear on a run of BEGIN lines', { timeout: 30_000 }, () => {
    fc.assert(fc.property(fc.string(), (s) => void parsePemCertificates(s)));
    expect(parsePemCertificates('-----BEGIN CERTIFICATE-----\n'.repeat(300_000))).toMatchObject({ ok: true, value: [] });
  });
});
