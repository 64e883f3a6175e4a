/** Deepest JSON nesting parsed: real system_profiler trees nest under 40 levels; deeper trees up to this are read and cut at 32 hubs by the USB walk. */
export const MAX_JSON_DEPTH = 4096;

/**
 * JSON.parse after a one-pass check that arrays and objects nest at most MAX_JSON_DEPTH levels
 * (JSON.parse spent over a second on 500,000 `[`). Throws a SyntaxError like JSON.parse does, so
 * callers' "not JSON: …" handling covers both.
 */
export function parseJson(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(text);
}
