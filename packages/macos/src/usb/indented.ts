import { forEachLine } from '../lines.js';

/**
 * The indentation tree of `system_profiler` text output (SPUSBDataType, SPUSBHostDataType):
 * a line ending in ":" is a header, "Key: value" (split on the first ": ") a property of the
 * nearest less-indented header. Depth is only in the indentation; blank lines are ignored.
 */

/** One header with its properties and nested headers. */
export interface TextNode {
  /** Header text without the trailing ":" and surrounding spaces; null for a placeholder. */
  title: string | null;
  indent: number;
  /** 1-based line number of the header (or of the first orphan property for a placeholder). */
  line: number;
  props: Map<string, string>;
  children: TextNode[];
}

/** Result: the top-level headers plus what was skipped. */
export interface TextTree {
  roots: TextNode[];
  problems: string[];
  /** Headers created for property lines that came before any header (capture starts mid-device). */
  placeholders: number;
}

/** `system_profiler` stderr diagnostics ("2020-01-04 22:10:21.002 system_profiler[60780:2362795] SPUSBDevice: ..."). */
const STDERR_LINE = /^\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S*system_profiler\[\d+(:\d+)?\]/;

/**
 * Build the tree. Lines at indent 0 other than headers (shell prompts, stray text) and
 * system_profiler's own stderr lines are skipped and counted in `problems`.
 */
export function buildTextTree(text: string): TextTree {
  const roots: TextNode[] = [];
  const problems: string[] = [];
  const stack: TextNode[] = [];
  let placeholders = 0;
  let strays = 0;
  let stderrLines = 0;
  forEachLine(text, (rawLine, i) => {
    // Blank lines first: a line of whitespace alone (8 MiB of tabs) is never expanded.
    if (!rawLine.trim()) return;
    const line = (rawLine.includes('\t') ? rawLine.replace(/\t/g, '    ') : rawLine).trimEnd();
    if (STDERR_LINE.test(line)) {
      stderrLines++;
      return;
    }
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    const isHeader = body.endsWith(':');
    const sep = body.indexOf(': ');
    if (!isHeader && sep <= 0) {
      strays++;
      return;
    }
    if (indent === 0 && !isHeader) {
      strays++;
      return;
    }
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (isHeader) {
      const node: TextNode = { title: body.slice(0, -1).trim(), indent, line: i + 1, props: new Map(), children: [] };
      (stack.length ? stack[stack.length - 1]!.children : roots).push(node);
      stack.push(node);
      return;
    }
    let owner = stack[stack.length - 1];
    if (!owner) {
      // Property before any header: the capture starts inside a device. Keep its properties.
      owner = { title: null, indent: Math.max(0, indent - 2), line: i + 1, props: new Map(), children: [] };
      roots.push(owner);
      stack.push(owner);
      placeholders++;
    }
    const key = body.slice(0, sep).trim();
    if (!owner.props.has(key)) owner.props.set(key, body.slice(sep + 2).trim());
  });
  if (stderrLines) problems.push(`skipped ${stderrLines} system_profiler stderr line(s) mixed into stdout (e.g. IOCreatePlugInInterfaceForService failed)`);
  if (strays) problems.push(`skipped ${strays} line(s) that are neither a header nor "Key: value" (prompt or stray text)`);
  return { roots, problems, placeholders };
}
