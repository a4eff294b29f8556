/** What every command prints with: the default actor of an audited change, and JSON answers. */
import os from 'node:os';

export const defaultActor = () => `cli:${os.userInfo().username}`;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
