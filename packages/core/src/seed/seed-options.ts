/**
 * Parsing and limits for the demo-data seed's options, shared by the CLI (which turns raw
 * command-line strings into options) and `seedDemoData` (which re-checks what it is given).
 */
import { isIsoDate } from '../domain/calendar';

export const MIN_ASSIGNMENTS = 1;
export const MAX_ASSIGNMENTS = 5_000_000;
export const DEFAULT_DUE_SHARE = 0.25;

/** Bad input from the user: exit code 2 (usage error), nothing has been written. */
export class SeedUsageError extends Error {
  override name = 'SeedUsageError';
  readonly exitCode = 2;
}

/** The database already holds domain data and `reset` was not asked for: exit code 1. */
export class SeedRefusedError extends Error {
  override name = 'SeedRefusedError';
  readonly exitCode = 1;
}

export type RawSeedArgs = { assignments?: string; dueShare?: string; today?: string };
export type ParsedSeedArgs = { assignments: number; dueShare: number; today?: string };

/** Turns command-line strings into checked values; throws `SeedUsageError` with one line. */
export function parseSeedArgs(raw: RawSeedArgs): ParsedSeedArgs {
  if (raw.assignments === undefined) throw new SeedUsageError('--assignments <n> is required (a whole number of assignments to create)');
  const a = raw.assignments.trim();
  if (!/^\d+$/.test(a)) throw new SeedUsageError(`--assignments must be a whole number between ${MIN_ASSIGNMENTS} and ${MAX_ASSIGNMENTS}, got "${raw.assignments}"`);
  const dueShare = raw.dueShare === undefined ? DEFAULT_DUE_SHARE : parseShare(raw.dueShare);
  const parsed = { assignments: Number(a), dueShare, today: raw.today };
  checkSeedArgs(parsed);
  return parsed;
}

function parseShare(s: string): number {
  const t = s.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new SeedUsageError(`--due-share must be a number from 0 to 1, got "${s}"`);
  return Number(t);
}

/** Range checks on already-typed values (the core entry point calls this too). */
export function checkSeedArgs(p: ParsedSeedArgs): void {
  if (!Number.isSafeInteger(p.assignments) || p.assignments < MIN_ASSIGNMENTS || p.assignments > MAX_ASSIGNMENTS) {
    throw new SeedUsageError(`--assignments must be a whole number between ${MIN_ASSIGNMENTS} and ${MAX_ASSIGNMENTS}, got ${p.assignments}`);
  }
  if (!Number.isFinite(p.dueShare) || p.dueShare < 0 || p.dueShare > 1) {
    throw new SeedUsageError(`--due-share must be a number from 0 to 1, got ${p.dueShare}`);
  }
  if (p.today !== undefined && !isIsoDate(p.today)) {
    throw new SeedUsageError(`--today must be a calendar date written YYYY-MM-DD, got "${p.today}"`);
  }
}
