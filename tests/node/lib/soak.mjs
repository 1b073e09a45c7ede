// The soak loop, shared by the Node test (tests/node/soak.test.mjs) and the Chromium one (served
// to the page as a module): no Node imports. Random frame and region reads from several instances
// at once, with random aborts; instances reused, closed between batches and after sourceChanged.
// Every result must pass `check` or be a LazydcmError with an expected code; anything else is a
// failure (collected, the loop stops at the first).

/** mulberry32: a small seeded generator, so a failing soak can be run again as it was. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What a read through a misbehaving server may end in, besides the right pixels.
export const EXPECTED_ERRORS = ['aborted', 'network', 'httpError', 'sourceChanged'];

/**
 * cases: [{ file, kind: 'frame' | 'region', frame?, region? }]; chaos(file) and local(file): where
 * to read a case's file, 4 reads in 5 through the chaos (local reads may only fail with `aborted`); check(case, data) -> Promise<bool>;
 * atBatchEnd(done) runs after each batch, all instances closed.
 */
export async function runSoak({ open, LazydcmError, pool, cases, chaos, local, check, ops, seed, concurrency = 8, batch = 250,
  atBatchEnd = async () => {} }) {
  const rand = random(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const sources = { chaos, local };
  const instances = new Map();
  const tally = { ok: 0, errors: {} };
  const failures = [];

  const instanceFor = (c, where, pooled, cached) => {
    const key = `${where}|${pooled}|${cached}|${c.file}`;
    let p = instances.get(key);
    if (!p) {
      p = open(sources[where](c.file), { http: { retries: 4, retryDelayMs: 1 }, ...(cached ? {} : { caches: false }),
        ...(pooled ? { decodePool: pool } : {}) });
      instances.set(key, p);
      p.catch(() => instances.delete(key));
    }
    return { key, p };
  };
  const closeAll = async () => {
    const ps = [...instances.values()];
    instances.clear();
    for (const r of await Promise.allSettled(ps)) if (r.status === 'fulfilled') await r.value.close();
  };

  const one = async () => {
    const c = pick(cases);
    const where = rand() < 0.8 ? 'chaos' : 'local';
    const { key, p } = instanceFor(c, where, rand() < 0.5, rand() < 0.3);
    const controller = rand() < 0.1 ? new AbortController() : null;
    if (controller) setTimeout(() => controller.abort(), Math.floor(rand() * 4));
    const signal = controller?.signal;
    let data;
    try {
      const inst = await p;
      data = c.kind === 'frame'
        ? (await inst.getStoredFrame(c.frame, { signal })).data
        : (await inst.getTotalPixelMatrix({ ...c.region, signal })).data;
    } catch (e) {
      if (!(e instanceof LazydcmError)) return failures.push(`${c.file} (${where}): not a LazydcmError: ${e?.stack ?? e}`);
      if (!EXPECTED_ERRORS.includes(e.codeName)) return failures.push(`${c.file} (${where}): ${e.codeName}: ${e.message}`);
      if (where === 'local' && e.codeName !== 'aborted') return failures.push(`${c.file} (local): ${e.codeName}: ${e.message}`);
      tally.errors[e.codeName] = (tally.errors[e.codeName] ?? 0) + 1;
      if (e.codeName === 'sourceChanged' && instances.get(key) === p) {
        instances.delete(key);
        await (await p).close();
      }
      return;
    }
    if (!(await check(c, data))) return failures.push(`${c.kind} ${c.frame ?? JSON.stringify(c.region)} of ${c.file} (${where}) differs from the reference`);
    tally.ok++;
  };

  for (let done = 0; done < ops && failures.length === 0;) {
    const n = Math.min(batch, ops - done);
    let next = 0;
    const lane = async () => { while (next < n && failures.length === 0) { next++; await one(); } };
    let timer;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reads still pending after 120 s (ops ${done}..${done + n})`)), 120_000);
    });
    try {
      await Promise.race([Promise.all(Array.from({ length: concurrency }, lane)), hung]);
    } catch (e) {
      failures.push(String(e));
    } finally {
      clearTimeout(timer);
    }
    done += n;
    await closeAll();  // the next batch opens again: headers and indexes read through the faults too
    await atBatchEnd(done);
  }
  return { tally, failures };
}
