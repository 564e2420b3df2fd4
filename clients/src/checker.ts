import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/**
 * A type guard for a schema: compiled on first use (fast enough for every acknowledgement of a
 * bet), or TypeBox's interpreter where a page's Content-Security-Policy forbids compiled code.
 */
export function checker<T extends TSchema>(schema: T): (value: unknown) => value is Static<T> {
  let check: ((value: unknown) => boolean) | undefined;
  return (value: unknown): value is Static<T> => {
    if (!check) {
      try {
        const compiled = TypeCompiler.Compile(schema);
        check = (v) => compiled.Check(v);
      } catch {
        check = (v) => Value.Check(schema, v);
      }
    }
    return check(value);
  };
}
