/**
 * A programme's parts (its ops service, its sweep run, its run alerts) are built from the same
 * shared pieces and differ only in the programme's names: made when first asked for, then kept
 * (a slug never changes; a programme deleted and made again gets a new id).
 */
import type { ProgrammeRef } from '../domain/programme-names';

export function perProgramme<T>(build: (p: ProgrammeRef) => T): (p: ProgrammeRef) => T {
  const made = new Map<string, T>();
  return (p) => {
    const key = `${p.id}:${p.slug}`;
    let part = made.get(key);
    if (part === undefined) made.set(key, (part = build(p)));
    return part;
  };
}
