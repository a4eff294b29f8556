import type { Command } from 'commander';

export function seedCommand(program: Command): void {
  program
    .command('seed')
    .description('create deterministic demo data')
    .requiredOption('--assignments <n>', 'how many assignments');
}
