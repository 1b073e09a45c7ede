// Forwarding for the test and benchmark proxies: the request to `upstream` (same path, headers
// but Host), the response's status, headers (without hop-by-hop and encoding ones) and body.
export async function forward(req, upstream, { dropRange = false } = {}) {
  const headers = { ...req.headers };
  delete headers.host;
  if (dropRange) delete headers.range;
  const up = await fetch(upstream + req.url, { method: req.method, headers });
  const body = Buffer.from(await up.arrayBuffer());
  const out = {};
  for (const [k, v] of up.headers) if (!['content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
  return { status: up.status, headers: out, body };
}
