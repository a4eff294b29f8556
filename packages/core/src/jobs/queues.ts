/** The two BullMQ queues, on one shared producer connection. */
import { Queue } from 'bullmq';
import type { RedisConnection } from '../redis';
import { DISPATCH_QUEUE, SWEEP_QUEUE, type DispatchPayload, type SweepPayload } from './job-catalog';

export type Queues = {
  sweep: Queue<SweepPayload>;
  dispatch: Queue<DispatchPayload>;
  close(): Promise<void>;
};

/** `onError` receives connection errors; without a listener BullMQ prints each one to the console. */
export function createQueues(connection: RedisConnection, prefix: string, onError: (err: Error) => void = () => undefined): Queues {
  const sweep = new Queue<SweepPayload>(SWEEP_QUEUE, { connection, prefix });
  const dispatch = new Queue<DispatchPayload>(DISPATCH_QUEUE, { connection, prefix });
  sweep.on('error', onError);
  dispatch.on('error', onError);
  return {
    sweep,
    dispatch,
    close: async () => {
      await Promise.all([sweep.close(), dispatch.close()]);
    },
  };
}
