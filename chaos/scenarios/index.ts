/** Every scenario, in the order the table lists them. */
import { activityDuringDispatch } from './activity-during-dispatch';
import { clusterFailover } from './cluster-failover';
import { digestCrash } from './digest-crash';
import { forgedDispatchJobs } from './forged-dispatch-jobs';
import { forgedSweepJobs } from './forged-sweep-jobs';
import { pauseMidRun } from './pause-mid-run';
import { postgresTerminate } from './postgres-terminate';
import { redisCrash } from './redis-crash';
import { redisRestart } from './redis-restart';
import { removedJobs } from './removed-jobs';
import { sentinelFailover } from './sentinel-failover';
import { sigkillDispatch } from './sigkill-dispatch';
import { sigkillFanout } from './sigkill-fanout';
import { sigstopHolder } from './sigstop-holder';
import { smtpDown } from './smtp-down';
import { stalledDispatch } from './stalled-dispatch';
import { twentyTriggers } from './twenty-triggers';
import type { Scenario } from './types';

export const SCENARIOS: readonly Scenario[] = [
  sigkillFanout,
  sigkillDispatch,
  redisRestart,
  redisCrash,
  postgresTerminate,
  sigstopHolder,
  twentyTriggers,
  smtpDown,
  activityDuringDispatch,
  sentinelFailover,
  clusterFailover,
  forgedSweepJobs,
  forgedDispatchJobs,
  removedJobs,
  stalledDispatch,
  pauseMidRun,
  digestCrash,
];
