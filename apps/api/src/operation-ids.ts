/**
 * The OpenAPI operationId of every documented route: the method names a generated client gets
 * (`client.registerActivity(...)`), so they are chosen here once and never derived from URLs.
 * The OpenAPI plugin refuses to start with a documented route missing from this table.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = Object.freeze({
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /v1/activities': 'registerActivity',
  'POST /v1/activities/bulk': 'registerActivitiesBulk',
  'GET /v1/assignments/:id': 'getAssignment',
  'POST /v1/assignments/:id/contact-correction': 'correctContact',
  'GET /v1/tokens': 'listTokens',
  'POST /v1/tokens': 'createToken',
  'POST /v1/tokens/:name/revoke': 'revokeToken',
  'GET /v1/programmes': 'listProgrammes',
  'GET /v1/programmes/:slug': 'getProgramme',
  'POST /v1/programmes': 'createProgramme',
  'PATCH /v1/programmes/:slug': 'updateProgramme',
  'DELETE /v1/programmes/:slug': 'deleteProgramme',
  'POST /v1/assignments/:id/programme': 'moveAssignmentProgramme',
  'POST /v1/sweep/trigger': 'triggerSweep',
  'GET /v1/sweep/preview': 'previewSweep',
  'POST /v1/sweep/pause': 'pauseSweep',
  'POST /v1/sweep/resume': 'resumeSweep',
  'GET /v1/sweep/status': 'getSweepStatus',
  'GET /v1/runs': 'listRuns',
  'GET /v1/runs/:id': 'getRun',
  'POST /v1/runs/:id/cancel': 'cancelRun',
  'GET /v1/sweep/lock': 'getSweepLock',
  'POST /v1/sweep/lock/release': 'releaseSweepLock',
  'GET /v1/alerts': 'listAlerts',
});
