import { ioError, LazydcmError } from '../core/errors.js';

/** Waits `ms`, or rejects with `aborted` when the signal fires. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(ioError('aborted', 'aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(ioError('aborted', 'aborted'));
    }, { once: true });
  });

/** An HTTP error that may be retried (429, 5xx), with the server's Retry-After in ms if it sent one. */
export interface RetriableError extends LazydcmError {
  retriable?: boolean;
  retryAfterMs?: number;
}

/** httpError for a status: 429 and 5xx are marked retriable, with Retry-After (capped at 30 s). */
export function httpStatusError(response: Response, message: string, source: string): RetriableError {
  const err = ioError('httpError', message, source) as RetriableError;
  err.retriable = response.status === 429 || response.status >= 500;
  const after = Number(response.headers.get('Retry-After'));
  if (Number.isFinite(after) && after > 0) err.retryAfterMs = Math.min(after * 1000, 30_000);
  return err;
}

export interface RetryOptions {
  /** Attempts in all (at least 1). */
  attempts: number;
  /** First backoff, doubled per attempt (a Retry-After replaces it). */
  delayMs: number;
  signal?: AbortSignal;
  /** Said once per retry (stats.notes). */
  note(e: LazydcmError): void;
}

/**
 * The one retry policy of the I/O layer (HTTP ranges and DICOMweb): `network` errors and retriable
 * `httpError`s are tried again with exponential backoff; anything else, an abort, or the last
 * attempt's error is thrown.
 */
export async function withRetries<T>(attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  let delay = o.delayMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const retriable = e instanceof LazydcmError &&
        (e.codeName === 'network' || (e.codeName === 'httpError' && (e as RetriableError).retriable === true));
      if (!retriable || n >= Math.max(1, o.attempts) || o.signal?.aborted) throw e;
      o.note(e);
      await sleep((e as RetriableError).retryAfterMs ?? delay, o.signal);
      delay *= 2;
    }
  }
}
