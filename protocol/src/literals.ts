import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/**
 * A union of string literals from a `const` list, typed element by element (a plain `.map` gives
 * an array type, whose static type TypeBox and fastify's type provider cannot follow).
 */
export function literalUnion<const T extends readonly string[]>(values: T): TUnion<Literals<T>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<T>>;
}
