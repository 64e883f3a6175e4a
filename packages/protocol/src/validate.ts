import { Compile } from 'typebox/compile';
import type { Static, TSchema } from 'typebox';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Compiles a schema once and returns a validator that never throws.
 * Errors are "path: message" strings, at most 10.
 */
export function validator<T extends TSchema>(schema: T): (input: unknown) => Validated<Static<T>> {
  const compiled = Compile(schema);
  return (input) => {
    if (compiled.Check(input)) return { ok: true, value: input as Static<T> };
    const errors = [...compiled.Errors(input)].slice(0, 10).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    return { ok: false, errors };
  };
}
