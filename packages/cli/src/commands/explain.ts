// `switchyard explain`: what an Envoy would do with one request or
// connection, computed by the Envoy model (@switchyard/explain) from the
// resources that Envoy holds: those Switchyard produces for a Gateway from
// Gateway API objects (-f), any Envoy's config dump (--config-dump), or what
// a running Switchyard serves a fleet (--xds).
import {
  explain,
  explainTlsConnection,
  formatExplanation,
  formatTlsConnection,
  type ExplainRequest,
  type Explanation,
  type TlsConnectionQuery,
} from '@switchyard/explain';
import type { TranslateResult } from '@switchyard/translator';
import { parseCommandLine, parseOutputFormat, parsePort } from '../args.js';
import { EXIT_OK, EXIT_USER_ERROR, UsageError, UserError, writeLine, type Io } from '../io.js';
import { synthesizeMissingEndpointSlices } from '../missing-endpoints.js';
import { formatDocument } from '../output.js';
import { loadOrReport, runTranslator } from './translate.js';
import { readConfigDump } from './config-dump.js';
import { fetchFromXds, xdsSourceOf } from './explain-xds.js';
import type { EnvoyResources } from '@switchyard/protos';

export const EXPLAIN_USAGE = `Usage: switchyard explain -f FILE [-f FILE...] --gateway NAMESPACE/NAME [--port N]
                          'METHOD URL' [-H 'Name: value'...] [--sni NAME] [-o text|json|yaml]
       switchyard explain --config-dump FILE [--port N] TARGET [-H ...]
       switchyard explain --xds ADDRESS --fleet NS/NAME [--xds-cert F --xds-key F --xds-ca F | --insecure]
                          [--port N] TARGET [-H ...]

Shows what the Gateway's Envoy would do with the request: the listener and
filter chain, the matched route and the HTTPRoute/GRPCRoute rule it came from,
the backends with their weights, redirects, rewrites, header changes, mirrors.

A connection instead of a request: tls://SNI[:PORT] (a TLS ClientHello with
that SNI, port 443 by default), tcp://HOST:PORT or udp://HOST:PORT (plain
bytes or datagrams; the host is ignored) shows the filter chain, whether TLS
is terminated (certificates, client certificate) or passed through, and the
TCP/UDP backends with their shares.

The Envoy's resources come from Gateway API objects (-f, as Switchyard
translates them for --gateway), from any Envoy's configuration
(--config-dump: Envoy's admin /config_dump, or a list of typed xDS
resources, JSON or YAML), or from a running Switchyard (--xds: fetched over
ADS as the fleet's Envoy would, then disconnected). For https:// the URL's host is the TLS server name
(SNI) and a Host header sets :authority, as with curl; --sni overrides the
server name.

Examples:
  switchyard explain -f examples/ --gateway networking/external-gateway 'GET http://example.com/api/users'
  switchyard explain --config-dump config_dump.json 'GET http://example.com:10080/api'
  switchyard explain --xds 127.0.0.1:18000 --insecure --fleet networking/external-gateway 'GET http://example.com/api/users'
  switchyard explain -f examples/ --gateway networking/passthrough-gateway tls://db.example.com
  switchyard explain -f examples/ --gateway networking/external-gateway -H 'X-Canary: true' 'GET http://shop.example.com/'

Options:
  -f, --filename PATH         a file, a directory or - (standard input); repeatable
      --gateway NS/NAME       the Gateway whose Envoy receives the request
      --config-dump FILE      explain against this Envoy configuration instead of -f/--gateway
      --xds HOST:PORT         explain against what this xDS server serves --fleet (a Gateway NS/NAME)
      --xds-cert/--xds-key/--xds-ca FILE  the fleet's client certificate, key and the server's CA (PEM)
      --insecure              plaintext xDS (standalone mode's default)
      --sni NAME              the TLS server name for https:// (default: the URL's host)
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
    'config-dump': { type: 'string' },
    xds: { type: 'string' },
    fleet: { type: 'string' },
    'xds-cert': { type: 'string' },
    'xds-key': { type: 'string' },
    'xds-ca': { type: 'string' },
    insecure: { type: 'boolean' },
    sni: { type: 'string' },
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
  const dump = values['config-dump'];
  const sources = [
    files.length > 0 || values.gateway !== undefined ? '-f/--gateway' : undefined,
    dump !== undefined ? '--config-dump' : undefined,
    values.xds !== undefined ? '--xds' : undefined,
  ].filter((s) => s !== undefined);
  if (sources.length > 1) throw new UsageError(`explain: ${sources.join(' and ')} are alternatives; give one`);
  if (sources.length === 0)
    throw new UsageError('explain: give the Envoy configuration: -f FILE with --gateway NS/NAME, --config-dump FILE, or --xds ADDRESS with --fleet NS/NAME');
  if (sources[0] === '-f/--gateway' && files.length === 0) throw new UsageError('explain: at least one -f FILE is required');
  if (sources[0] === '-f/--gateway' && !values.gateway) throw new UsageError('explain: --gateway NAMESPACE/NAME is required');
  const xds = values.xds !== undefined ? xdsSourceOf(values) : undefined;
  const connection = parseConnection(positionals, values.port);
  const request = connection ? undefined : parseRequest(positionals, values.header ?? [], values.port, values.sni);

  let resources: EnvoyResources;
  let inputNotes: readonly string[] = [];
  if (dump !== undefined) {
    ({ resources, notes: inputNotes } = await readConfigDump(dump));
  } else if (xds) {
    resources = await fetchFromXds(await xds);
  } else {
    const gateway = parseGatewayId(values.gateway!);
    const objects = await loadOrReport(files, io);
    if (!objects) return EXIT_USER_ERROR;
    const input = values['add-missing-endpoints'] ? [...objects, ...synthesizeMissingEndpointSlices(objects)] : objects;
    const result = runTranslator(input);
    const fleet = result.fleets.get(gateway);
    if (!fleet) throw new UserError(whyNoFleet(gateway, result));
    resources = fleet;
  }
  const show = (answer: object, text: string) => {
    if (format !== 'text') io.stdout.write(formatDocument(inputNotes.length ? { ...answer, inputNotes } : answer, format));
    else writeLine(io.stdout, (inputNotes.length ? `Input notes:\n${inputNotes.map((n) => `  - ${n}`).join('\n')}\n` : '') + text);
  };

  if (connection) {
    const e = explainTlsConnection(resources, connection);
    show(e, formatTlsConnection(e));
    return EXIT_OK;
  }
  let explanation: Explanation;
  try {
    explanation = explain(resources, request!);
  } catch (err) {
    throw new UserError(`internal error in explain (please report it): ${err instanceof Error ? err.message : String(err)}`);
  }
  show(explanation, formatExplanation(explanation));
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
export function parseRequest(positionals: string[], headers: string[], portFlag: string | undefined, sniFlag?: string): ExplainRequestInput {
  const words = positionals.flatMap((p) => p.trim().split(/\s+/)).filter((w) => w !== '');
  let method = 'GET';
  let rawUrl: string;
  if (words.length === 1) rawUrl = words[0]!;
  else if (words.length === 2) [method, rawUrl] = [words[0]!, words[1]!];
  else
    throw new UsageError(
      `explain: expected one request, 'METHOD URL' (for example 'GET http://example.com/api'), got ${words.length === 0 ? 'none' : `"${positionals.join(' ')}"`}`,
    );
  if (!/^[A-Za-z][A-Za-z-]*$/.test(method)) throw new UsageError(`explain: "${method}" is not an HTTP method`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`explain: "${rawUrl}" is not an absolute URL (write it as http://HOST/PATH)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`explain: URL scheme must be http or https, got "${url.protocol.replace(/:$/, '')}"`);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = portFlag !== undefined ? parsePort('--port', portFlag) : url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;

  const headerList: Array<[string, string]> = [];
  let host = url.host;
  for (const h of headers) {
    const colon = h.indexOf(':');
    const name = colon > 0 ? h.slice(0, colon).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`-H: expected 'Name: value', got "${h}"`);
    const value = h.slice(colon + 1).trim();
    // A Host header replaces the URL's authority, as with curl -H Host: (the
    // TLS server name stays the URL's host, so a connection made for one name
    // can carry a request for another: the HTTP/2 connection reuse case).
    if (name.toLowerCase() === 'host') host = value;
    else headerList.push([name.toLowerCase(), value]);
  }
  // URL normalizes the path (dot segments, percent-encoding of spaces); keep
  // the raw path as the client would send it when it is already well formed.
  const rawPath = /^[a-z]+:\/\/[^/?#]*([^#]*)/i.exec(rawUrl)?.[1] ?? '';
  const path = rawPath === '' ? `/${url.search}` : rawPath.startsWith('/') ? rawPath : `${url.pathname}${url.search}`;
  if (sniFlag !== undefined && scheme !== 'https') throw new UsageError('--sni: only for https:// requests (tls:// takes the server name from the URL)');
  const sni = scheme === 'https' ? (sniFlag ?? url.hostname.replace(/^\[|\]$/g, '')) : undefined;
  return { port, method: method.toUpperCase(), scheme, host, path, headers: headerList, ...(sni !== undefined ? { sni } : {}) };
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
