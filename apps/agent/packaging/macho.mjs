// Is a file a macOS executable? The first bytes of a Mach-O file say so (<mach-o/loader.h>,
// <mach-o/fat.h>): a thin binary starts with its magic and header, a universal one with a fat header.

const MH_MAGIC_64 = 0xfeedfacf;
const MH_MAGIC = 0xfeedface;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const MH_EXECUTE = 2;
/** Java class files share FAT_MAGIC; their next word (a version) is far above any real slice count. */
const MAX_FAT_SLICES = 20;
/** @type {Record<number, string>} cputype (with CPU_ARCH_ABI64) of the Macs Node ships for. */
const CPU_NAMES = { 0x01000007: 'x86_64', 0x0100000c: 'arm64' };

/** Bytes needed from the start of the file to decide. */
export const MACHO_HEADER_BYTES = 16;

/**
 * Reads a Mach-O header from the first bytes of a file (at least MACHO_HEADER_BYTES of it).
 * Thin files: the magic's byte order gives the header's (x86_64 and arm64 are little-endian); the
 * file must be an executable (filetype MH_EXECUTE), not a library or object. Universal files: a
 * big-endian fat header with 1 to 20 slices. Never throws.
 * @param {Uint8Array} head
 * @returns {{ ok: true, value: { kind: 'thin' | 'universal', arch: string } } | { ok: false, error: string }}
 */
export function readMachOHeader(head) {
  if (head.length < 8) return { ok: false, error: `${head.length} bytes: too short for a Mach-O header` };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const big = view.getUint32(0, false);
  if (big === FAT_MAGIC || big === FAT_MAGIC_64) {
    const slices = view.getUint32(4, false);
    if (slices < 1 || slices > MAX_FAT_SLICES) return { ok: false, error: `fat magic with ${slices} slices: not a universal Mach-O binary` };
    return { ok: true, value: { kind: 'universal', arch: `${slices} architectures` } };
  }
  const little = view.getUint32(0, true);
  const littleEndian = little === MH_MAGIC_64 || little === MH_MAGIC;
  if (!littleEndian && big !== MH_MAGIC_64 && big !== MH_MAGIC) {
    return { ok: false, error: `starts with ${hex(head.subarray(0, 4))}, not a Mach-O magic (cf fa ed fe for a 64-bit Mac binary)` };
  }
  if (head.length < MACHO_HEADER_BYTES) return { ok: false, error: `${head.length} bytes: too short for a Mach-O header` };
  const cpu = view.getUint32(4, littleEndian);
  const filetype = view.getUint32(12, littleEndian);
  if (filetype !== MH_EXECUTE) return { ok: false, error: `a Mach-O file of type ${filetype}, not an executable (type ${MH_EXECUTE})` };
  return { ok: true, value: { kind: 'thin', arch: CPU_NAMES[cpu] ?? `cputype 0x${cpu.toString(16)}` } };
}

/** @param {Uint8Array} bytes */
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
