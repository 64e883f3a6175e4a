import type { ProxyFacts } from '@fleetmedic/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listExtraCaptures, readExtraCapture } from '../testing/fixtures.js';
import { parseScutilProxy } from './proxy.js';

const DEFAULT_EXCEPTIONS = ['*.local', '169.254/16'];

/** Every real capture with the configuration it holds. */
const EXPECTED: Record<string, ProxyFacts> = {
  'scutil-proxy-blog-http-https-whistle.txt': {
    proxies: [{ kind: 'http', host: '127.0.0.1', port: 8899 }, { kind: 'https', host: '127.0.0.1', port: 8899 }],
    pacUrl: null, autoDiscovery: false, exceptions: ['*.local、169.254/16'],
  },
  'scutil-proxy-drduh-http-privoxy.txt': { proxies: [{ kind: 'http', host: '127.0.0.1', port: 8118 }], pacUrl: null, autoDiscovery: false, exceptions: DEFAULT_EXCEPTIONS },
  'scutil-proxy-httptoolkit151-pac.txt': { proxies: [], pacUrl: 'http://wpad.company.com/wpad.dat', autoDiscovery: false, exceptions: [] },
  'scutil-proxy-measured-none-default-exceptions.txt': { proxies: [], pacUrl: null, autoDiscovery: false, exceptions: DEFAULT_EXCEPTIONS },
};

describe('parseScutilProxy on every real capture', () => {
  it('covers every capture', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(listExtraCaptures('scutil-proxy-'));
  });

  it.each(Object.entries(EXPECTED))('%s', (file, value) => {
    expect(parseScutilProxy(readExtraCapture(file))).toEqual({ ok: true, value, problems: [] });
  });
});

describe('parseScutilProxy on other input', () => {
  it('ignores the per-interface copies under __SCOPED__ and reads SOCKS and WPAD', () => {
    const text = '<dictionary> {\n  HTTPEnable : 0\n  ProxyAutoDiscoveryEnable : 1\n  SOCKSEnable : 1\n  SOCKSPort : 1080\n  SOCKSProxy : socks.corp\n  __SCOPED__ : <dictionary> {\n    en0 : <dictionary> {\n      ExceptionsList : <array> {\n        0 : scoped.example\n      }\n      HTTPEnable : 1\n      HTTPProxy : scoped.example\n    }\n  }\n}\n';
    expect(parseScutilProxy(text)).toEqual({ ok: true, value: { proxies: [{ kind: 'socks', host: 'socks.corp', port: 1080 }], pacUrl: null, autoDiscovery: true, exceptions: [] }, problems: [] });
  });

  it('fails on empty output and names what is missing in a cut or odd one', () => {
    expect(parseScutilProxy('')).toEqual({ ok: false, error: 'no "<dictionary> {" line: not scutil --proxy output', problems: [] });
    const r = parseScutilProxy('<dictionary> {\n  HTTPEnable : 1\n  HTTPSEnable : 1\n  HTTPSProxy : p\n  HTTPSPort : 99999\n  ProxyAutoConfigEnable : 1\n  junk\n');
    expect(r).toMatchObject({ ok: true, value: { proxies: [{ kind: 'https', host: 'p', port: null }] } });
    expect(r.problems).toEqual([
      'line not read: "junk"',
      'the dictionary is not closed: output cut short',
      'HTTPEnable is 1 but HTTPProxy is missing',
      'HTTPSPort "99999" is not a port number',
      'ProxyAutoConfigEnable is 1 but ProxyAutoConfigURLString is missing',
    ]);
  });

  it('never throws and returns only hosts found in the input (property)', () => {
    const base = readExtraCapture('scutil-proxy-blog-http-https-whistle.txt');
    const mangled = fc.tuple(fc.nat(base.length), fc.nat(40), fc.string()).map(([at, cut, ins]) => base.slice(0, at) + ins + base.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), mangled), (text) => {
      const r = parseScutilProxy(text);
      if (r.ok) for (const p of r.value.proxies) expect(text).toContain(p.host);
    }));
  });

  it('reads 8 MiB of spaces in linear time', { timeout: 30_000 }, () => {
    expect(parseScutilProxy(' '.repeat(8 * 1024 * 1024))).toMatchObject({ ok: false });
    expect(parseScutilProxy(`<dictionary> {\n${' : '.repeat(2 * 1024 * 1024)}\n}`)).toMatchObject({ ok: true });
  });
});
