import { describe, expect, it } from 'vitest';
import { listExtraCaptures, readExtraCapture } from '../testing/fixtures.js';
import { parseKernBoottime } from './boottime.js';

/** The captures keep the author's prompt lines: stdout is every line after the `$ sysctl` one. */
const stdoutOf = (capture: string): string => capture.split('\n').slice(capture.split('\n').findIndex((l) => l.startsWith('$ sysctl')) + 1).join('\n');

/** Every kern.boottime capture with the boot time it gives (null: the capture is a failure). */
const CAPTURES: Record<string, string | null> = {
  'sysctl-kern.boottime-uptime-doc-2026-06-02.txt': '2026-06-02T21:29:04.167Z',
  'sysctl-kern.boottime-review-2026-09-03.txt': '2026-09-03T23:48:44.183Z',
  'sysctl-kern.boottime-zh-blog-2026-09-20.txt': '2026-09-20T06:59:57.783Z',
  'sysctl-kern.boottime-sandbox-not-permitted.txt': null,
};

describe('parseKernBoottime on every capture', () => {
  it('covers every capture', () => expect(Object.keys(CAPTURES).sort()).toEqual(listExtraCaptures('sysctl-kern.boottime-')));
  it.each(Object.entries(CAPTURES))('%s', (file, iso) => {
    const r = parseKernBoottime(stdoutOf(readExtraCapture(file)));
    if (iso === null) expect(r).toMatchObject({ ok: false, error: /no "\{ sec/ });
    else expect(r).toEqual({ ok: true, value: iso, problems: [] });
  });
});

describe('parseKernBoottime on bad input', () => {
  it('never reads usec as sec', () => expect(parseKernBoottime('usec = 783081 }')).toMatchObject({ ok: false }));
  it('refuses a zero boot time', () => expect(parseKernBoottime('{ sec = 0, usec = 0 } Thu Jan  1 00:00:00 1970')).toMatchObject({ ok: false, error: /is 0/ }));
  it('fails on empty output', () => expect(parseKernBoottime('')).toMatchObject({ ok: false }));
});
