/**
 * `value` as XML character data (a plist <string>): &, < and > escaped; quotes need none there.
 * @param {string} value
 */
export const xmlText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Replaces the one `<string>placeholder</string>` of a plist template by `value`, keeping the
 * template's comments for the admin who reads the installed file. Throws when the placeholder
 * is not there exactly once (a template changed without this script).
 * @param {string} template
 * @param {string} placeholder
 * @param {string} value
 */
export function replaceString(template, placeholder, value) {
  const needle = `<string>${placeholder}</string>`;
  const parts = template.split(needle);
  if (parts.length !== 2) throw new Error(`the template holds ${parts.length - 1} times ${needle}, expected once`);
  return parts.join(`<string>${xmlText(value)}</string>`);
}
