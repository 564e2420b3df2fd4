import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/** One guard per schema, kept as long as the schema is. */
const guards = new WeakMap<TSchema, (value: unknown) => boolean>();

/**
 * A type guard for a schema: compiled on first use (fast enough for every acknowledgement of a
 * bet), or TypeBox's interpreter where a page's Content-Security-Policy forbids compiled code.
 * The same schema always gets the same guard.
 */
export function checker<T extends TSchema>(schema: T): (value: unknown) => value is Static<T> {
  const known = guards.get(schema) as ((value: unknown) => value is Static<T>) | undefined;
  if (known) return known;
  let check: ((value: unknown) => boolean) | undefined;
  const guard = (value: unknown): value is Static<T> => {
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
  guards.set(schema, guard);
  return guard;
}
