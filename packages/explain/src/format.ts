// Human-readable rendering of an Explanation, for `switchyard explain`.
// The JSON form is the Explanation object itself.
import type { BackendSource, Explanation, HeaderChange, RateLimitOutcome, RouteAction, RouteSource } from './types.js';
import { backendKey } from './weights.js';

export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  switch (e.kind) {
    case 'no-listener':
      lines.push(`No listener on port ${e.port}: the connection is refused.`);
      lines.push(`Listening ports: ${e.listeningPorts.length ? e.listeningPorts.join(', ') : '(none)'}`);
      break;
    case 'no-filter-chain':
      lines.push(`Listener ${e.listener} has no filter chain for this connection: Envoy closes it.`);
      break;
    case 'not-http':
      lines.push(`Listener ${e.selection.listener}, filter chain ${e.selection.filterChain}: not HTTP (filters: ${e.filters.join(', ')}).`);
      break;
    case 'no-route': {
      const why =
        e.reason === 'route-configuration-missing'
          ? `route configuration ${e.routeConfiguration} is missing`
          : e.reason === 'no-virtual-host'
            ? `no virtual host of ${e.routeConfiguration} matches the Host`
            : `no route of virtual host ${e.virtualHost ?? ''} matches`;
      lines.push(`404 Not Found from Envoy: ${why}.`);
      lines.push(`Listener ${e.selection.listener}, filter chain ${e.selection.filterChain}`);
      break;
    }
    case 'route':
      lines.push(`Listener ${e.selection.listener}, filter chain ${e.selection.filterChain}`);
      lines.push(`Route configuration ${e.routeConfiguration}, virtual host ${e.virtualHost}`);
      lines.push(`Route #${e.route.index}${e.route.name ? ` ${e.route.name}` : ''}${e.route.source ? ` from ${sourceText(e.route.source)}` : ''}`);
      lines.push(...actionLines(e.action));
      if (e.cors?.kind === 'preflight')
        lines.push(`CORS preflight answered by Envoy (200): ${e.cors.responseHeaders.map(([n, v]) => `${n}: ${v}`).join('; ')}`);
      else if (e.cors?.kind === 'actual') lines.push(`CORS response headers added: ${e.cors.responseHeaders.map(([n, v]) => `${n}: ${v}`).join('; ')}`);
      else if (e.cors?.kind === 'not-allowed')
        lines.push(
          e.cors.answeredByEnvoy
            ? 'CORS: origin not allowed; preflight answered by Envoy (200) without access-control-allow-origin'
            : 'CORS: origin not allowed; no CORS headers',
        );
      if (e.rateLimit) lines.push(rateLimitText(e.rateLimit));
      if (e.filterConfigs.length) lines.push(`Filter configs: ${e.filterConfigs.map((f) => `${f.filter} (${f.level})`).join(', ')}`);
      break;
  }
  if ((e.kind === 'route' || e.kind === 'no-route') && e.notes.length) {
    lines.push('Notes:');
    for (const n of e.notes) lines.push(`  - ${n}`);
  }
  if ((e.kind === 'route' || e.kind === 'no-route') && e.notModelled?.length) {
    lines.push('Not modelled by explain (the outcome may differ):');
    for (const n of e.notModelled) lines.push(`  - ${n}`);
  }
  return lines.join('\n') + '\n';
}

function rateLimitText(r: RateLimitOutcome): string {
  const keys = r.keyedBy.length ? `one bucket per ${r.keyedBy.join(' + ')}` : 'one shared bucket';
  return `Rate limit (local, per Envoy): bucket of ${r.maxTokens}, refilled ${r.tokensPerFill} per ${r.fillIntervalSeconds}s, ${keys}; over the limit: ${r.status}${r.enforced ? '' : ' (not enforced: counted only)'}`;
}

function sourceText(s: RouteSource): string {
  return `${s.kind} ${s.namespace}/${s.name} rule ${s.rule}${s.ruleName ? ` (${s.ruleName})` : ''} match ${s.match}`;
}

function backendText(b: BackendSource | undefined, cluster: string): string {
  return b ? `${b.kind} ${backendKey(b)}` : `cluster ${cluster}`;
}

/** Without a Switchyard backend to name, the endpoints themselves (a few) say where the request goes. */
function endpointsText(t: { backend: BackendSource | undefined; endpoints: number | undefined; addresses?: readonly string[] }): string {
  if (t.endpoints === undefined) return '';
  if (t.backend || !t.addresses?.length) return ` [${t.endpoints} endpoints]`;
  const shown = t.addresses.slice(0, 5).join(', ');
  return ` [${t.endpoints} endpoint${t.endpoints === 1 ? '' : 's'}: ${shown}${t.addresses.length > 5 ? ', …' : ''}]`;
}

function pct(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}

function changeText(c: HeaderChange): string {
  return c.op === 'remove'
    ? `remove ${c.name}`
    : `${c.appendAction === 'APPEND_IF_EXISTS_OR_ADD' ? 'add' : c.appendAction === 'ADD_IF_ABSENT' ? 'add-if-absent' : 'set'} ${c.name}: ${c.value}`;
}

function actionLines(a: RouteAction): string[] {
  const out: string[] = [];
  switch (a.kind) {
    case 'redirect':
      out.push(`Redirect ${a.status} to ${a.location}`);
      break;
    case 'direct_response':
      out.push(`Direct response ${a.status}${a.body !== undefined ? `: ${JSON.stringify(a.body)}` : ''}`);
      break;
    case 'unsupported':
      out.push(`Action ${a.action} (not evaluated by explain)`);
      break;
    case 'clusters': {
      if (a.clusterHeader !== undefined) out.push(`Forward to the cluster named by request header ${a.clusterHeader}`);
      out.push('Forward to:');
      for (const b of a.backends) {
        const t = b.target;
        const what =
          t.kind === 'error'
            ? `${t.status} from Envoy (${t.reason === 'invalid-backend' ? 'invalid backend' : `cluster ${t.cluster} not found`})`
            : `${backendText(t.backend, t.cluster)}${endpointsText(t)}${t.upstreamProtocol !== 'http1' ? ` over ${t.upstreamProtocol}` : ''}`;
        out.push(`  ${pct(b.share)} (weight ${b.weight}) ${what}`);
        for (const c of b.requestHeaderChanges) out.push(`      request header: ${changeText(c)}`);
      }
      const first = a.backends[0]?.upstream;
      if (a.pathRewrite) out.push(`Path rewritten (${a.pathRewrite.by}): ${a.pathRewrite.from} -> ${a.pathRewrite.to}`);
      if (a.hostRewrite) out.push(`Host rewritten (${a.hostRewrite.by})${first?.host !== undefined ? `: ${first.host}` : ''}`);
      for (const c of a.requestHeaderChanges) out.push(`Request header (${c.level}): ${changeText(c)}`);
      for (const c of a.responseHeaderChanges) out.push(`Response header (${c.level}): ${changeText(c)}`);
      for (const m of a.mirrors) out.push(`Mirror ${pct(m.percent / 100)} to ${backendText(m.backend, m.cluster)}`);
      out.push(`Timeout: ${a.timeouts.request === 0 ? 'none' : `${a.timeouts.request}s`}${a.timeouts.requestSource === 'default' ? ' (Envoy default)' : ''}`);
      if (a.retry)
        out.push(
          `Retry: ${a.retry.numRetries} on ${a.retry.retryOn.join(',') || '(nothing)'}${a.retry.retriableStatusCodes.length ? ` codes ${a.retry.retriableStatusCodes.join(',')}` : ''}`,
        );
      if (a.upgrades.length) out.push(`Upgrades: ${a.upgrades.join(', ')}`);
      return out;
    }
  }
  if (a.kind !== 'unsupported') for (const c of a.responseHeaderChanges) out.push(`Response header (${c.level}): ${changeText(c)}`);
  return out;
}
