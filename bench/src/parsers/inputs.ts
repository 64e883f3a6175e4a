import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One benchmark input: a name for the table and the text. */
export interface BenchInput {
  name: string;
  text: string;
}

/**
 * The real captures of `folders` (text files, sorted), as the parsers' tests read them: a folder of
 * shared/fixtures/macos, or `extra:<prefix>` for the files of recorded-macs/extra-captures whose
 * name starts with the prefix.
 */
export function fixtureInputs(dirs: { fixtures: string; extraCaptures: string }, folders: string[]): BenchInput[] {
  return folders.flatMap((folder) => {
    const extra = folder.startsWith('extra:') ? folder.slice('extra:'.length) : null;
    const dir = extra === null ? path.join(dirs.fixtures, folder) : dirs.extraCaptures;
    return readdirSync(dir).sort()
      .filter((f) => (extra === null || f.startsWith(extra)) && statSync(path.join(dir, f)).isFile())
      .map((f) => ({ name: `${extra === null ? folder : 'extra-captures'}/${f}`, text: readFileSync(path.join(dir, f), 'utf8') }));
  });
}

/** A small seeded PRNG (mulberry32): the same mutations on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` mutations of a capture, seeded by `seed`: one to four byte flips, a deleted or
 * duplicated span, a span replaced by a run of spaces, tabs or `<`; each keeps the capture's
 * shape almost intact, which is where parsers go wrong.
 */
export function mutations(input: BenchInput, count: number, seed: number): BenchInput[] {
  const rnd = random(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const out: BenchInput[] = [];
  const bytes = Buffer.from(input.text, 'utf8');
  for (let i = 0; i < count; i++) {
    const kind = pick(4);
    let text: string;
    if (kind === 0 && bytes.length > 0) {
      const copy = Buffer.from(bytes);
      for (let k = 0, flips = 1 + pick(4); k < flips; k++) copy[pick(copy.length)]! ^= 1 << pick(8);
      text = copy.toString('utf8');
    } else {
      const at = pick(input.text.length + 1);
      const len = pick(64);
      const filler = [' '.repeat(len * 16), '\t'.repeat(len * 16), '<'.repeat(len), input.text.slice(at, at + len * 8), ''][pick(5)]!;
      text = input.text.slice(0, at) + filler + input.text.slice(at + (kind === 1 ? len : 0));
    }
    out.push({ name: `${input.name} mutation ${i}`, text });
  }
  return out;
}

/** `unit` repeated up to about `bytes` characters. */
const fill = (unit: string, bytes: number) => unit.repeat(Math.max(1, Math.ceil(bytes / unit.length)));

/**
 * Inputs built to find super-linear work, each about `bytes` long: long runs of one character
 * (spaces, tabs, digits, letters, `<`, `=`), deep nesting (XML plist, JSON, parentheses),
 * and for each capture its text repeated, its first line with a long space run after the first
 * word, and every line's first whitespace run stretched.
 */
export function adversarialInputs(captures: BenchInput[], bytes: number): BenchInput[] {
  const depth = Math.floor(bytes / 16);
  const generic: BenchInput[] = [
    { name: 'spaces', text: fill(' ', bytes) },
    { name: 'spaces then x', text: `${fill(' ', bytes)}x` },
    { name: 'tabs', text: fill('\t', bytes) },
    { name: 'digits', text: fill('1', bytes) },
    { name: 'letters', text: fill('a', bytes) },
    { name: 'less-than signs', text: fill('<', bytes) },
    { name: 'equals and spaces', text: fill('= ', bytes) },
    { name: 'short lines', text: fill('a: b\n', bytes) },
    { name: 'CR-only lines', text: fill('Key: value\r', bytes) },
    { name: 'nested <dict>', text: `<?xml version="1.0"?><plist version="1.0">${'<dict><key>k</key>'.repeat(depth)}` },
    { name: 'nested <array>', text: `<?xml version="1.0"?><plist version="1.0">${'<array>'.repeat(depth)}` },
    { name: 'nested JSON arrays', text: fill('[', depth) },
    { name: 'nested JSON objects', text: fill('{"a":', depth) },
    { name: 'nested parentheses', text: fill('(', depth) },
  ];
  const perCapture = captures.flatMap((c) => {
    const lines = c.text.split('\n');
    const first = lines.find((l) => l.trim() !== '') ?? '';
    const word = first.trimStart().split(/\s/)[0] ?? '';
    const stretch = Math.max(1, Math.floor(bytes / Math.max(1, lines.length)));
    return [
      { name: `${c.name} repeated`, text: fill(`${c.text}\n`, bytes) },
      { name: `${c.name} first word + space run`, text: `${word}${fill(' ', bytes)}x\n${c.text}` },
      { name: `${c.name} whitespace runs stretched`, text: lines.map((l) => l.replace(/[ \t]/, ' '.repeat(stretch))).join('\n') },
    ];
  });
  return [...generic, ...perCapture];
}
