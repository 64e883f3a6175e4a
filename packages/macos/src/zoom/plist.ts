import { DOMParser } from '@xmldom/xmldom';
import * as plist from 'plist';
import { failed, parsed, type ParseResult } from '../result.js';

export type PlistValue = plist.PlistValue;
export type PlistDict = { [key: string]: PlistValue };

const BPLIST = 'bplist';

/**
 * A property list file's content (XML text, or the bytes of an XML or binary `bplist00` file) -> its value.
 * Used for Info.plist and /Library/Preferences/com.apple.alf.plist, which macOS may store in either form.
 * Bytes are sniffed: `bplist` magic -> binary, anything else -> UTF-8 XML.
 */
export function decodePlist(content: string | Uint8Array): ParseResult<PlistValue> {
  const isBytes = typeof content !== 'string';
  const head = isBytes ? Buffer.from(content.subarray(0, BPLIST.length)).toString('latin1') : content.slice(0, BPLIST.length);
  try {
    if (head === BPLIST) {
      if (!isBytes) return failed('binary plist passed as text: read the file as bytes (a Buffer), not as UTF-8');
      return parsed(plist.parseBinary(content));
    }
    const text = isBytes ? Buffer.from(content).toString('utf8') : content;
    if (text.trim() === '') return failed('empty plist');
    if (!text.includes('<plist')) return failed('not a property list: no <plist> element and no bplist header');
    return parseXmlPlist(text);
  } catch (e) {
    return failed(`unreadable plist: ${(e as Error).message}`);
  }
}

/** Deepest element nesting an XML plist may have: Info.plist and com.apple.alf.plist stay under 10, SPUSBDataType under 40. */
export const MAX_PLIST_DEPTH = 128;


/**
 * XML plist text -> its value, quietly and in time linear in the text: refused (ok: false) when
 * elements nest deeper than MAX_PLIST_DEPTH (checked first, in one pass) or when the XML is not
 * well-formed (xmldom stops at the first error, which is the reason; nothing is written to the
 * console, unlike plist.parse on bad XML). Throws nothing.
 */
export function parseXmlPlist(text: string): ParseResult<PlistValue> {
  if (nestingOver(text, MAX_PLIST_DEPTH)) return failed(`XML nested deeper than ${MAX_PLIST_DEPTH} elements: not a plist macOS writes`);
  let firstError: string | undefined;
  try {
    new DOMParser({
      onError: (level, message) => {
        if (level === 'warning') return;
        // Throwing stops xmldom at the first complaint instead of one callback per bad `<`.
        firstError ??= message.trim();
        throw new Error(firstError);
      },
    }).parseFromString(text, 'text/xml');
    return parsed(plist.parse(text));
  } catch (e) {
    return failed(firstError ? `not well-formed XML: ${firstError}` : `unreadable plist: ${(e as Error).message}`);
  }
}

/**
 * True when start tags nest deeper than `max` (end tags close, `<x/>`, `<?...>` and `<!...>` do
 * not open). One pass: each `<` is looked at once and a tag is skipped to its `>`.
 */
function nestingOver(text: string, max: number): boolean {
  let depth = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    const next = text[i + 1];
    if (next === '/') {
      depth--;
      continue;
    }
    if (next === '!' || next === '?') continue;
    const end = text.indexOf('>', i);
    if (end < 0) return false;
    if (text[end - 1] !== '/' && ++depth > max) return true;
    i = end;
  }
  return false;
}

/** The value when it is a dictionary (not an array, string, Date or data). */
export const asDict = (v: PlistValue | undefined): PlistDict | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) ? v : null;
