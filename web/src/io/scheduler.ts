import { ioError } from '../core/errors.js';

interface Job {
  priority: number;
  seq: number;
  start: () => void;
}

/**
 * Runs at most `concurrency` tasks at once, higher `priority` first (then first come, first
 * served). A task whose signal aborts while it waits is dropped with an `aborted` error and never
 * starts; a running task gets the signal and stops its fetch.
 */
export class RequestScheduler {
  private running = 0;
  private queue: Job[] = [];
  private seq = 0;

  constructor(public concurrency = 6) {}

  get pending(): number {
    return this.queue.length;
  }

  run<T>(task: () => Promise<T>, options: { priority?: number; signal?: AbortSignal } = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(ioError('aborted', 'aborted'));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        priority: options.priority ?? 0,
        seq: this.seq++,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          task().then(resolve, reject).finally(() => {
            this.running--;
            this.next();
          });
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(job);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(ioError('aborted', 'aborted'));
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.concurrency && this.queue.length) this.queue.shift()!.start();
  }
}

const byOrigin = new Map<string, RequestScheduler>();

/**
 * The scheduler every instance read from one HTTP origin shares when none is given: browsers open
 * six HTTP/1.1 connections per origin (S3), so a slide's levels, a series' instances and a view's
 * ring prefetch queue here, highest priority first, instead of in the browser's own FIFO.
 * `connections` (first caller's) sets its concurrency: more for HTTP/2 origins (GCS).
 */
export function originScheduler(origin: string, connections = 6): RequestScheduler {
  let s = byOrigin.get(origin);
  if (!s) byOrigin.set(origin, (s = new RequestScheduler(connections)));
  return s;
}
