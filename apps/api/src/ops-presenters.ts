/** Operations results (camelCase, Dates, bigint) to the API's JSON (snake_case, ISO strings). */
// The same conversion the CLI's --json uses (one definition, so they cannot drift).
import { toJson as convert } from '@reminders/core/json-case';

type SnakeKey<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeKey<T>}` : S;

/** What `toJson` makes of a T, as a type: the handlers' answers are checked against the response schemas. */
export type Json<T> = T extends Date | bigint
  ? string
  : T extends undefined
    ? null
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { -readonly [K in keyof T as K extends string ? SnakeKey<K> : never]-?: Json<T[K]> }
        : T;

export const toJson = <T>(v: T): Json<T> => convert(v) as Json<T>;
