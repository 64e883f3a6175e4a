// Mach-O headers as <mach-o/loader.h> and <mach-o/fat.h> define them, built byte by byte.
import { describe, expect, it } from 'vitest';
import { readMachOHeader } from './macho.mjs';

/** A thin 64-bit header: magic, cputype, cpusubtype, filetype, in the byte order the magic shows. */
function thin(cputype: number, filetype: number, littleEndian = true): Uint8Array {
  const view = new DataView(new ArrayBuffer(16));
  view.setUint32(0, 0xfeedfacf, littleEndian);
  view.setUint32(4, cputype, littleEndian);
  view.setUint32(12, filetype, littleEndian);
  return new Uint8Array(view.buffer);
}
function fat(slices: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(16));
  view.setUint32(0, 0xcafebabe, false);
  view.setUint32(4, slices, false);
  return new Uint8Array(view.buffer);
}

describe('readMachOHeader', () => {
  it('reads the thin executables nodejs.org ships for Macs, and universal binaries', () => {
    expect(readMachOHeader(thin(0x0100000c, 2))).toEqual({ ok: true, value: { kind: 'thin', arch: 'arm64' } });
    expect(readMachOHeader(thin(0x01000007, 2))).toEqual({ ok: true, value: { kind: 'thin', arch: 'x86_64' } });
    expect(readMachOHeader(fat(2))).toEqual({ ok: true, value: { kind: 'universal', arch: '2 architectures' } });
  });

  it('refuses a library, a Java class file (the fat magic with a version after it), an ELF binary, a script, a short file', () => {
    expect(readMachOHeader(thin(0x0100000c, 6))).toEqual({ ok: false, error: 'a Mach-O file of type 6, not an executable (type 2)' });
    expect(readMachOHeader(fat(0x34))).toMatchObject({ ok: false, error: 'fat magic with 52 slices: not a universal Mach-O binary' });
    expect(readMachOHeader(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({ ok: false, error: expect.stringContaining('starts with 7f 45 4c 46') });
    expect(readMachOHeader(new TextEncoder().encode('#!/bin/sh\nexec node "$@"\n'))).toMatchObject({ ok: false });
    expect(readMachOHeader(new Uint8Array([0xcf, 0xfa]))).toEqual({ ok: false, error: '2 bytes: too short for a Mach-O header' });
  });
});
