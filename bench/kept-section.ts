/**
 * A section of docs/benchmarks.md that one bench writes and the others keep: its figures are
 * embedded as JSON in a `<!-- <tag>-data {...} -->` comment between `<!-- <tag>:begin -->` and
 * `<!-- <tag>:end -->`, so `npm run bench` (which rewrites the whole file) renders it again from
 * them and its own bench replaces only it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function keptSection<T>(tag: string, render: (s: T) => string[]) {
  const begin = `<!-- ${tag}:begin -->`;
  const end = `<!-- ${tag}:end -->`;
  const data = new RegExp(`<!-- ${tag}-data (\\{.*\\}) -->`);
  const renderSection = (s: T): string => [begin, ...render(s), '', `<!-- ${tag}-data ${JSON.stringify(s)} -->`, end, ''].join('\n');
  return {
    render: renderSection,
    read(file: string): T | null {
      if (!existsSync(file)) return null;
      const m = data.exec(readFileSync(file, 'utf8'));
      return m ? (JSON.parse(m[1]!) as T) : null;
    },
    /** Replaces the section (or adds it before the sweep's summary) and leaves the rest as it is. */
    write(file: string, s: T): void {
      const md = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
      const section = renderSection(s);
      const b = md.indexOf(begin);
      const e = md.indexOf(end);
      let out: string;
      if (b >= 0 && e > b) out = md.slice(0, b) + section + md.slice(e + end.length + 1);
      else {
        const at = md.indexOf('## Summary');
        out = at >= 0 ? md.slice(0, at) + section + '\n' + md.slice(at) : md + '\n' + section;
      }
      writeFileSync(file, out);
    },
  };
}
