import Type, { type Static, type TSchema } from 'typebox';

/**
 * Whether a section of a snapshot could be read.
 * - `ok`: every source read and parsed.
 * - `partial`: data is present but some part could not be read or parsed; `problems` says what.
 * - `unavailable`: the source exists on this platform but could not be read (`reason` says why:
 *   no Full Disk Access, command failed, output unparseable). Never reported as empty data.
 * - `unsupported`: the signal does not exist on this platform (for example TCC on Linux).
 */
export const SectionStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('partial'),
  Type.Literal('unavailable'),
  Type.Literal('unsupported'),
]);
export type SectionStatus = Static<typeof SectionStatus>;

/**
 * One signal group of a snapshot, wrapped with how it was read.
 * `data` is present for `ok` and `partial`, absent otherwise.
 * `sources` names what was read, e.g. `["socketfilterfw --getglobalstate", "socketfilterfw --listapps"]`.
 * `description` (the registry's) is kept on the schema for API documentation.
 */
export function Section<T extends TSchema>(data: T, description?: string) {
  return Type.Object({
    status: SectionStatus,
    sources: Type.Array(Type.String()),
    reason: Type.Optional(Type.String({ description: 'Why the section is unavailable/unsupported' })),
    problems: Type.Optional(Type.Array(Type.String(), { description: 'What could not be read in a partial section' })),
    data: Type.Optional(data),
  }, description === undefined ? {} : { description });
}
