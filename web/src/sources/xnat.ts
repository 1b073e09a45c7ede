/**
 * XNAT (imagedata's remote archive): a scan's DICOM files listed through XNAT's REST API
 * (`/data/projects/<p>/subjects/<s>/experiments/<e>/scans/<n>/resources/DICOM/files?format=json`:
 * a `ResultSet.Result` of `{ Name, Size, URI, collection, ... }`), then read by range like any URL —
 * XNAT versions that ignore Range send whole files, which HttpSource keeps (noted in stats).
 * Authentication: HTTP basic (`user`, `password`), or a session (`JSESSIONID`: from
 * `xnatSession`, or the browser's own cookie with `credentials: 'include'`).
 */
import { ErrorCode, LazydcmError } from '../core/errors.js';
import { fetchOk, HttpSource, type HttpOptions } from './http.js';

export interface XnatOptions {
  /** The XNAT server, e.g. `https://central.xnat.org` (a path prefix such as `/xnat` included). */
  base: string;
  project: string;
  subject: string;
  /** The experiment (session) label or ID. */
  experiment: string;
  scan: string;
  /** The scan resource holding the files. Default 'DICOM'. */
  resource?: string;
  /** HTTP basic authentication. */
  user?: string;
  password?: string;
  /** A JSESSIONID (xnatSession): sent as a cookie (Node) — browsers send their own cookie with `http.credentials`. */
  session?: string;
  http?: HttpOptions;
}

interface XnatFile { Name: string; Size?: string | number; URI: string; collection?: string; file_format?: string }

/** Request headers for the chosen authentication. */
function authHeaders(o: Pick<XnatOptions, 'user' | 'password' | 'session'>): Record<string, string> {
  if (o.session) return { Cookie: `JSESSIONID=${o.session}` };
  if (o.user !== undefined) return { Authorization: `Basic ${btoa(`${o.user}:${o.password ?? ''}`)}` };
  return {};
}

/** A session for `user`: POST /data/JSESSION with basic authentication; its ID. */
export async function xnatSession(base: string, user: string, password: string, http: HttpOptions = {}): Promise<string> {
  const url = `${base.replace(/\/$/, '')}/data/JSESSION`;
  const r = await fetchOk(url, http, 'logging in to', { method: 'POST', headers: { ...http.headers, ...authHeaders({ user, password }) } });
  const id = (await r.text()).trim();
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new LazydcmError(ErrorCode.invalidValue, 'invalidValue', `XNAT at ${url} answered no session ID`);
  return id;
}

/** The scan's DICOM files (only those XNAT lists as DICOM, or named *.dcm), in listing order, as sources. */
export async function xnatFiles(o: XnatOptions): Promise<HttpSource[]> {
  const base = o.base.replace(/\/$/, '');
  const enc = encodeURIComponent;
  const url = `${base}/data/projects/${enc(o.project)}/subjects/${enc(o.subject)}/experiments/${enc(o.experiment)}/scans/${enc(o.scan)}`
    + `/resources/${enc(o.resource ?? 'DICOM')}/files?format=json`;
  const http: HttpOptions = { ...o.http, headers: { ...o.http?.headers, ...authHeaders(o) } };
  const r = await fetchOk(url, http, 'listing');
  let files: XnatFile[];
  try {
    files = ((await r.json()) as { ResultSet: { Result: XnatFile[] } }).ResultSet.Result;
    if (!Array.isArray(files)) throw new Error('no ResultSet.Result');
  } catch (e) {
    throw new LazydcmError(ErrorCode.invalidJson, 'invalidJson', `XNAT listing ${url}: ${(e as Error).message}`);
  }
  const dicom = files.filter((f) => (f.file_format ?? f.collection ?? '').toUpperCase() === 'DICOM' || /\.dcm$/i.test(f.Name));
  if (!dicom.length) throw new LazydcmError(ErrorCode.notDicom, 'notDicom', `no DICOM files in ${url}`);
  // URIs are paths in the XNAT application ("/data/experiments/…"): under the base, prefix included.
  return dicom.map((f) => new HttpSource(f.URI.startsWith('/data/') ? `${base}${f.URI}` : new URL(f.URI, `${base}/`).href, http));
}
