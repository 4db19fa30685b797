/**
 * Runs headless flow jobs in parallel worker processes: one fresh process per job (an embedded
 * Node-RED runtime starts once per process), at most `parallel` at a time. Jobs and results travel over
 * the IPC channel; workers' stderr (runtime warnings) passes through.
 */
import { fork } from 'node:child_process';
import type { PublishedResult } from '../nodes/results-bus';
import type { NodeErrorCount } from './embedded';
import type { FlowNode } from './flow-edit';

export interface FlowJob {
  flow: FlowNode[];
  timeoutMs: number;
  /** Load every Node-RED core node file, not only those the flow uses. */
  allCoreNodes: boolean;
}

export interface JobOutcome {
  results?: PublishedResult[];
  /** Errors the flow's nodes reported (each distinct text once, with a count). */
  nodeErrors?: NodeErrorCount[];
  error?: string;
}

export const WORKER_FLAG = '__ib-flow-worker';

function runOne(workerScript: string, job: FlowJob): Promise<JobOutcome> {
  return new Promise((resolve) => {
    const child = fork(workerScript, [WORKER_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let outcome: JobOutcome | null = null;
    child.on('message', (message) => {
      outcome = message as JobOutcome;
    });
    child.on('error', (err) => {
      outcome ??= { error: `worker failed to start: ${err.message}` };
    });
    child.on('exit', (code, signal) => {
      resolve(outcome ?? { error: `worker exited (${signal ?? `code ${code}`}) without a result` });
    });
    child.send(job);
  });
}

export async function runJobs(workerScript: string, jobs: readonly FlowJob[], parallel: number, onDone?: (index: number, outcome: JobOutcome) => void): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      outcomes[index] = await runOne(workerScript, jobs[index]!);
      onDone?.(index, outcomes[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, lane));
  return outcomes;
}
