/**
 * Just enough Markdown for the runbook tests: fenced blocks (with the `<!-- key: value -->`
 * markers written on the lines right above them), headings and their GitHub anchors, links and
 * images, code spans, table rows. Not a general parser: it reads the runbook's own conventions.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Block = { lang: string; code: string; line: number; markers: Record<string, string>; section: string; subsection: string };
export type Heading = { level: number; text: string; slug: string; line: number };
export type Link = { target: string; image: boolean; line: number };
export type Span = { text: string; line: number; section: string };

export type Page = {
  file: string;
  text: string;
  blocks: Block[];
  headings: Heading[];
  links: Link[];
  /** Code spans outside fenced blocks. */
  spans: Span[];
  /** The text outside fenced blocks, line by line (numbers are 1-based file lines). */
  prose: { text: string; line: number; section: string }[];
};

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
export function slugify(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function parseMarkdown(file: string, text: string): Page {
  const lines = text.split('\n');
  const page: Page = { file, text, blocks: [], headings: [], links: [], spans: [], prose: [] };
  const seen = new Map<string, number>();
  let section = '';
  let subsection = '';
  let fence: { marker: string; lang: string; start: number; body: string[]; markers: Record<string, string> } | null = null;
  let pending: Record<string, string> = {};

  lines.forEach((raw, i) => {
    const line = i + 1;
    if (fence) {
      if (raw.trim() === fence.marker) {
        page.blocks.push({ lang: fence.lang, code: fence.body.join('\n'), line: fence.start, markers: fence.markers, section, subsection });
        fence = null;
      } else fence.body.push(raw);
      return;
    }
    const open = /^(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (open) {
      fence = { marker: open[1]!, lang: open[2] ?? '', start: line, body: [], markers: pending };
      pending = {};
      return;
    }
    const marker = /^<!--\s*([\w-]+):\s*(.*?)\s*-->\s*$/.exec(raw);
    if (marker) {
      pending[marker[1]!] = marker[2]!;
      return;
    }
    if (raw.trim() !== '') pending = {};
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      const level = heading[1]!.length;
      const base = slugify(heading[2]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      page.headings.push({ level, text: heading[2]!, slug: n ? `${base}-${n}` : base, line });
      if (level === 2) {
        section = heading[2]!;
        subsection = '';
      }
      if (level === 3) subsection = heading[2]!;
    }
    page.prose.push({ text: raw, line, section });
    const withoutCode = raw.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)) page.links.push({ target: m[2]!, image: m[1] === '!', line });
    for (const m of raw.matchAll(/`([^`]+)`/g)) page.spans.push({ text: m[1]!, line, section });
  });
  if (fence) throw new Error(`${file}: fenced block opened on line ${(fence as { start: number }).start} is never closed`);
  return page;
}

export const RUNBOOK_DIR = path.resolve(__dirname, '../../docs/runbook');

/** The entry page first, then every page it links to (and they link to), each once. */
export function loadRunbook(dir = RUNBOOK_DIR): Page[] {
  const pages: Page[] = [];
  const queue = [path.join(dir, 'README.md')];
  while (queue.length) {
    const file = queue.shift()!;
    if (pages.some((p) => p.file === file)) continue;
    const page = parseMarkdown(file, readFileSync(file, 'utf8'));
    pages.push(page);
    for (const l of page.links) {
      const target = path.resolve(path.dirname(file), l.target.split('#')[0]!);
      // A page that does not exist is reported by the link test, not here.
      if (!l.image && /^[^:]+\.md(#|$)/.test(l.target) && target.startsWith(dir + path.sep) && existsSync(target)) queue.push(target);
    }
  }
  return pages;
}

/** Splits one shell command line into words (single and double quotes, backslash escapes, `#` comments). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]!;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]!;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === '#' && word === null) {
      break;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  if (word !== null) words.push(word);
  return words;
}

/** The command lines of a shell block: `\`-continued lines joined, blank and comment lines dropped. */
export function shellLines(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Rows of the Markdown tables in `lines`, as arrays of trimmed cells (header separators dropped). */
export function tableRows(lines: { text: string }[]): string[][] {
  return lines
    .filter((l) => /^\s*\|.*\|\s*$/.test(l.text) && !/^\s*\|[\s:|-]+\|\s*$/.test(l.text))
    .map((l) => l.text.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** Column names of a sample result: psql's expanded (`\x`) records or an aligned table's header. */
export function sampleColumns(sample: string): string[] {
  const lines = sample.split('\n').filter((l) => l.trim());
  if (/^-\[ RECORD 1 \]/.test(lines[0] ?? '')) {
    const cols: string[] = [];
    for (const l of lines.slice(1)) {
      if (/^-\[ RECORD/.test(l)) break;
      cols.push(l.split('|')[0]!.trim());
    }
    return cols;
  }
  return (lines[0] ?? '').split('|').map((c) => c.trim());
}

/** A regular expression for lines shaped like `sample`: every run of digits may differ, spaces may stretch. */
export function lineShape(sample: string): RegExp {
  const parts = sample.trim().split(/(\d+|\s+)/).filter((p) => p !== '');
  const src = parts.map((p) => (/^\d+$/.test(p) ? '\\d+' : /^\s+$/.test(p) ? '\\s+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`);
}
