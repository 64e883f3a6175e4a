// pnpm bench:parsers [--kib N] [--mutations N] [--only name]: every packages/macos parser over the
// real captures, their mutations and adversarial inputs; prints each parser's slowest input.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { positiveInt } from '../args.js';
import { fmt } from '../report.js';
import { PARSERS } from './catalog.js';
import { adversarialInputs, fixtureInputs, mutations, type BenchInput } from './inputs.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = process.env.FLEETMEDIC_FIXTURES ?? path.resolve(REPO_ROOT, '../shared/fixtures/macos');
/** The agent accepts 8 MiB of a command's output and parses it in its only thread. */
const TARGET_MS = 1000;

const o = new Command()
  .option('--kib <n>', 'size of each adversarial input, KiB (the agent caps output at 8 MiB)', positiveInt, 8 * 1024)
  .option('--mutations <n>', 'mutations per capture', positiveInt, 200)
  .option('--only <name>', 'only this parser')
  .parse().opts<{ kib: number; mutations: number; only?: string }>();

/** Runs `run` on every input; the slowest one, the total and whether anything threw. */
function measure(run: (text: string) => unknown, inputs: BenchInput[]) {
  let slowest = { name: '', ms: -1, bytes: 0 };
  let totalMs = 0;
  const threw: string[] = [];
  for (const input of inputs) {
    const t0 = performance.now();
    try {
      run(input.text);
    } catch (error) {
      threw.push(`${input.name}: ${(error as Error).message}`);
    }
    const ms = performance.now() - t0;
    totalMs += ms;
    if (ms > slowest.ms) slowest = { name: input.name, ms, bytes: input.text.length };
  }
  return { slowest, totalMs, threw };
}

const rows: string[][] = [['parser', 'inputs', 'slowest input', 'chars', 'slowest ms', 'total ms', '< 1 s']];
let failures = 0;
for (const parser of PARSERS.filter((p) => !o.only || p.name === o.only)) {
  const captures = fixtureInputs({ fixtures: FIXTURES, extraCaptures: path.join(REPO_ROOT, 'recorded-macs/extra-captures') }, parser.folders);
  const inputs = [
    ...captures,
    ...captures.flatMap((c, i) => mutations(c, o.mutations, i + 1)),
    ...adversarialInputs(captures, o.kib * 1024),
  ];
  const { slowest, totalMs, threw } = measure(parser.run, inputs);
  const met = slowest.ms < TARGET_MS && threw.length === 0;
  if (!met) failures++;
  for (const t of threw.slice(0, 3)) console.error(`${parser.name} threw on ${t}`);
  rows.push([parser.name, fmt(inputs.length), slowest.name, fmt(slowest.bytes), fmt(slowest.ms, 1), fmt(totalMs), met ? 'yes' : 'NO']);
  console.error(`${parser.name}: slowest ${fmt(slowest.ms, 1)} ms on ${slowest.name}`);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`\nparsers over captures, ${o.mutations} mutations each and adversarial inputs of ${fmt(o.kib)} KiB (target: every input < ${TARGET_MS} ms, no throw)\n`);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
process.exitCode = failures > 0 ? 1 : 0;
