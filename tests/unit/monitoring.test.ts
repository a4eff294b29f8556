/**
 * docs/monitoring as its users run it. `promtool check rules` / `test rules` / `check config` run
 * in CI (.ci/run, Debian's prometheus package); this test keeps the promtool cases complete: every
 * alert rule has a case where it fires and one where it must not, and the sample scrape config
 * reads its token from a file and loads the rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const DIR = path.resolve(__dirname, '../../docs/monitoring');
const load = (f: string) => parse(readFileSync(path.join(DIR, f), 'utf8'));

type RuleTests = { rule_files: string[]; tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };

describe('promtool rule tests', () => {
  const rules = (load('prometheus-rules.yml') as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));
  const cases = (load('prometheus-rules.test.yml') as RuleTests).tests.flatMap((t) => t.alert_rule_test);

  it('load the rules file', () => {
    expect((load('prometheus-rules.test.yml') as RuleTests).rule_files).toEqual(['prometheus-rules.yml']);
  });

  it.each(rules)('%s has a firing and a not-firing case', (alert) => {
    const mine = cases.filter((c) => c.alertname === alert);
    expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
    expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
  });

  it('name no alert that the rules do not have', () => {
    expect([...new Set(cases.map((c) => c.alertname))].filter((a) => !rules.includes(a))).toEqual([]);
  });
});

describe('the sample scrape config', () => {
  const config = load('prometheus-scrape.yml') as { rule_files: string[]; scrape_configs: { metrics_path: string; authorization: Record<string, string> }[] };

  it('scrapes /metrics with a viewer token read from a file, and loads the rules', () => {
    expect(config.rule_files).toEqual(['prometheus-rules.yml']);
    const [job] = config.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    expect(job!.authorization).toEqual({ type: 'Bearer', credentials_file: expect.stringMatching(/^\//) });
  });
});
