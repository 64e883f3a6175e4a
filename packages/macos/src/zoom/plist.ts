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
    // plist.parse's XML parser prints malformed-XML complaints to the console: check well-formedness quietly first.
    const xmlErrors: string[] = [];
    new DOMParser({ onError: (level, message) => void (level !== 'warning' && xmlErrors.push(message.trim())) }).parseFromString(text, 'text/xml');
    if (xmlErrors.length > 0) return failed(`not well-formed XML: ${xmlErrors[0]}`);
    return parsed(plist.parse(text));
  } catch (e) {
    return failed(`unreadable plist: ${(e as Error).message}`);
  }
}

/** The value when it is a dictionary (not an array, string, Date or data). */
export const asDict = (v: PlistValue | undefined): PlistDict | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) ? v : null;
