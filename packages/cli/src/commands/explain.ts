// `switchyard explain`: what a Gateway's Envoy would do with one request,
// computed from the Envoy resources Switchyard produces for that Gateway.
import { explain, explainTlsConnection, formatExplanation, formatTlsConnection, type ExplainRequest, type Explanation, type TlsConnectionQuery } from '@switchyard/explain';
import type { TranslateResult } from '@switchyard/translator';
import { parseCommandLine, parseOutputFormat, parsePort } from '../args.js';
import { EXIT_OK, EXIT_USER_ERROR, UsageError, UserError, writeLine, type Io } from '../io.js';
import { synthesizeMissingEndpointSlices } from '../missing-endpoints.js';
import { formatDocument } from '../output.js';
import { loadOrReport, runTranslator } from './translate.js';

export const EXPLAIN_USAGE = `Usage: switchyard explain -f FILE [-f FILE...] --gateway NAMESPACE/NAME [--port N]
                          'METHOD URL' [-H 'Name: value'...] [-o text|json|yaml]

Shows what the Gateway's Envoy would do with the request: the listener and
filter chain, the matched route and the HTTPRoute/GRPCRoute rule it came from,
the backends with their weights, redirects, rewrites, header changes, mirrors.

A connection instead of a request: tls://SNI[:PORT] (a TLS ClientHello with
that SNI, port 443 by default), tcp://HOST:PORT or udp://HOST:PORT (plain
bytes or datagrams; the host is ignored) shows the filter chain, whether TLS
is terminated (certificates, client certificate) or passed through, and the
TCP/UDP backends with their shares.

Examples:
  switchyard explain -f examples/ --gateway networking/external-gateway 'GET http://example.com/api/users'
  switchyard explain -f examples/ --gateway networking/passthrough-gateway tls://db.example.com
  switchyard explain -f examples/ --gateway networking/external-gateway -H 'X-Canary: true' 'GET http://shop.example.com/'

Options:
  -f, --filename PATH         a file, a directory or - (standard input); repeatable
      --gateway NS/NAME       the Gateway whose Envoy receives the request
      --port N                the listener port (default: the URL's port, else 80 for http, 443 for https)
  -H, --header 'Name: value'  a request header; repeatable
      --add-missing-endpoints as for translate: local endpoints for Services without EndpointSlices
  -o, --output text|json|yaml output format (default text)
  -h, --help                  show this help`;

/** The request as `explain` in @switchyard/explain takes it, headers as an ordered list. */
export type ExplainRequestInput = ExplainRequest & { readonly headers: ReadonlyArray<readonly [string, string]> };

export async function explainCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    gateway: { type: 'string' },
    port: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    output: { type: 'string', short: 'o' },
    'add-missing-endpoints': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    writeLine(io.stdout, EXPLAIN_USAGE);
    return EXIT_OK;
  }
  const format = values.output === 'text' || values.output === undefined ? 'text' : parseOutputFormat(values.output, 'json', 'text');
  const files = values.filename ?? [];
  if (files.length === 0) throw new UsageError('explain: at least one -f FILE is required');
  if (!values.gateway) throw new UsageError('explain: --gateway NAMESPACE/NAME is required');
  const gateway = parseGatewayId(values.gateway);
  const connection = parseConnection(positionals, values.port);
  const request = connection ? undefined : parseRequest(positionals, values.header ?? [], values.port);

  const objects = await loadOrReport(files, io);
  if (!objects) return EXIT_USER_ERROR;
  const input = values['add-missing-endpoints'] ? [...objects, ...synthesizeMissingEndpointSlices(objects)] : objects;
  const result = runTranslator(input);
  const resources = result.fleets.get(gateway);
  if (!resources) throw new UserError(whyNoFleet(gateway, result));

  if (connection) {
    const e = explainTlsConnection(resources, connection);
    if (format !== 'text') io.stdout.write(formatDocument(e, format));
    else writeLine(io.stdout, formatTlsConnection(e));
    return EXIT_OK;
  }
  let explanation: Explanation;
  try {
    explanation = explain(resources, request!);
  } catch (err) {
    throw new UserError(`internal error in explain (please report it): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (format !== 'text') io.stdout.write(formatDocument(explanation, format));
  else writeLine(io.stdout, formatExplanation(explanation));
  return EXIT_OK;
}

export function parseGatewayId(value: string): string {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
  if (!m) throw new UsageError(`--gateway: expected NAMESPACE/NAME (for example networking/external-gateway), got "${value}"`);
  return value;
}

/** tls://SNI[:PORT], tcp://HOST:PORT or udp://HOST:PORT: a connection rather than an HTTP request. */
export function parseConnection(positionals: string[], portFlag: string | undefined): TlsConnectionQuery | undefined {
  const words = positionals.flatMap((p) => p.trim().split(/\s+/)).filter((w) => w !== '');
  const m = words.length === 1 ? /^(tls|tcp|udp):\/\/([^/:]*)(?::(\d+))?\/?$/i.exec(words[0]!) : null;
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const portText = portFlag ?? m[3];
  if (portText === undefined && scheme !== 'tls') throw new UsageError(`explain: ${scheme}:// needs a port, e.g. ${scheme}://example.com:5432`);
  const port = portText === undefined ? 443 : parsePort('--port', portText);
  if (scheme === 'tls') return { port, transport: 'tls', ...(m[2] ? { sni: m[2] } : {}) };
  return { port, transport: scheme === 'udp' ? 'udp' : 'raw' };
}

/** 'METHOD URL' as one argument (or METHOD and URL as two, or a URL alone for GET). */
export function parseRequest(positionals: string[], headers: string[], portFlag: string | undefined): ExplainRequestInput {
  const words = positionals.flatMap((p) => p.trim().split(/\s+/)).filter((w) => w !== '');
  let method = 'GET';
  let rawUrl: string;
  if (words.length === 1) rawUrl = words[0]!;
  else if (words.length === 2) [method, rawUrl] = [words[0]!, words[1]!];
  else throw new UsageError(`explain: expected one request, 'METHOD URL' (for example 'GET http://example.com/api'), got ${words.length === 0 ? 'none' : `"${positionals.join(' ')}"`}`);
  if (!/^[A-Za-z][A-Za-z-]*$/.test(method)) throw new UsageError(`explain: "${method}" is not an HTTP method`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`explain: "${rawUrl}" is not an absolute URL (write it as http://HOST/PATH)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`explain: URL scheme must be http or https, got "${url.protocol.replace(/:$/, '')}"`);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = portFlag !== undefined ? parsePort('--port', portFlag) : url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;

  const headerList: Array<[string, string]> = [];
  let host = url.host;
  for (const h of headers) {
    const colon = h.indexOf(':');
    const name = colon > 0 ? h.slice(0, colon).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`-H: expected 'Name: value', got "${h}"`);
    const value = h.slice(colon + 1).trim();
    // A Host header replaces the URL's authority, as with curl.
    if (name.toLowerCase() === 'host') host = value;
    else headerList.push([name.toLowerCase(), value]);
  }
  // URL normalizes the path (dot segments, percent-encoding of spaces); keep
  // the raw path as the client would send it when it is already well formed.
  const rawPath = /^[a-z]+:\/\/[^/?#]*([^#]*)/i.exec(rawUrl)?.[1] ?? '';
  const path = rawPath === '' ? `/${url.search}` : rawPath.startsWith('/') ? rawPath : `${url.pathname}${url.search}`;
  return { port, method: method.toUpperCase(), scheme, host, path, headers: headerList };
}

function whyNoFleet(gateway: string, result: TranslateResult): string {
  const [ns, name] = gateway.split('/') as [string, string];
  const status = result.statuses.find((s) => s.kind === 'Gateway' && s.namespace === ns && s.name === name);
  const fleets = [...result.fleets.keys()].sort();
  const known = `Gateways with a fleet: ${fleets.join(', ') || '(none)'}`;
  if (!status) return `--gateway: no Gateway ${gateway} (owned by Switchyard) in the input; ${known}`;
  const conditions = (status.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined)?.conditions ?? [];
  const failing = conditions.find((c) => (c.type === 'Accepted' || c.type === 'Programmed') && c.status !== 'True');
  const why = failing ? `${failing.type}=${failing.status} (${failing.reason}): ${failing.message}` : 'it has no fleet';
  return `--gateway: Gateway ${gateway} is not programmed: ${why}; ${known}`;
}
