/**
 * Property-based fuzzing of the HTTP API (chaos/api-fuzz.ts): generated malformed and boundary
 * requests, each wrong by construction, through app.inject. No 5xx, problem+json on every 4xx,
 * nothing accepted, the database unchanged. A random seed each run (printed on failure, with the
 * shrunk request, to replay it); `npm run chaos` sends thousands more.
 */
import { runApiFuzz } from '../../chaos/api-fuzz';

it('malformed and boundary requests get a problem+json 4xx and change nothing', async () => {
  const report = await runApiFuzz({ numRuns: 1500 });
  expect(report.failure ?? null).toBeNull();
  expect(report.requests).toBe(1500);
}, 60_000);
