// `switchyard migrate assess|convert`: the command line around assess() and
// convert(). Returns the exit code: 0 done, 1 nothing could be read, 2 usage.
import type { KubeObject } from '@switchyard/api';
import { assess, renderAssessment } from './assess.js';
import { convert, type ConvertOptions } from './convert.js';
import { loadFromCluster, loadFromFiles } from './inputs.js';
import { objectsToYaml } from './output.js';
import { formatFinding } from './report.js';

export { assess, renderAssessment, type Assessment } from './assess.js';
export { convert, type ConvertOptions, type ConvertResult } from './convert.js';
export type { Finding, Outcome } from './report.js';

export interface MigrateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const MIGRATE_USAGE = `Usage:
  switchyard migrate assess  [input] [selection] [-o table|json]
  switchyard migrate convert [input] [selection] [-o yaml|json]
                             [--gateway-per class|namespace] [--gateway-class NAME]
                             [--gateway-namespace NS] [--allowed-routes Selector|All]

Input (default: the cluster of the current kubeconfig context):
  -f, --filename FILE|DIR   read Ingresses, IngressClasses, Services and Secrets from
                            manifests (repeatable; "-" is standard input)
  --kubeconfig PATH         kubeconfig to use instead of $KUBECONFIG / ~/.kube/config
  --context NAME            kubeconfig context

Selection (default: every Ingress):
  --ingress-class NAME      only Ingresses of this class (repeatable)
  -n, --namespace NS        only the Ingresses of this namespace (repeatable)
  --ingress NS/NAME         only this Ingress (repeatable)
  --gateways-only           only the Gateways (with their ListenerSets and certificate
                            ReferenceGrants), no routes
                            Gateways are still computed from every Ingress of their
                            class, so converting one application at a time gives the
                            same Gateway each time.

Conversion:
  --gateway-per class|namespace   one Gateway per IngressClass (default), or per class
                                  and namespace (in the Ingresses' namespace)
  --gateway-class NAME            gatewayClassName of the Gateways (default switchyard)
  --gateway-namespace NS          namespace of per-class Gateways (default: the
                                  Ingresses' namespace if they share one, else default)
  --allowed-routes Selector|All   how Gateways admit routes from other namespaces
                                  (default: a Selector naming exactly those namespaces)

assess prints an inventory: IngressClasses, Ingresses per class and namespace,
hosts, TLS Secrets, backends and every annotation grouped by controller, each
marked converted, caveat (converted with a caveat) or NOT CONVERTIBLE.

convert prints Gateway API objects (Gateway, ListenerSet, HTTPRoute, GRPCRoute,
TLSRoute, ReferenceGrant, RateLimit, BackendTLSPolicy) as YAML for kubectl apply -f -, and
reports every setting it could not carry over exactly on stderr.
`;

interface Parsed {
  readonly sub: 'assess' | 'convert';
  readonly files: string[];
  readonly output: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly options: ConvertOptions;
}

type ParseResult = { readonly kind: 'ok'; readonly parsed: Parsed } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

export function parseMigrateArgs(args: readonly string[]): ParseResult {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') return { kind: 'help' };
  if (sub !== 'assess' && sub !== 'convert') return { kind: 'error', message: `unknown subcommand "${sub}" (want assess or convert)` };
  const files: string[] = [];
  const classes: string[] = [];
  let output = sub === 'assess' ? 'table' : 'yaml';
  let kubeconfig: string | undefined;
  let context: string | undefined;
  const namespaces: string[] = [];
  const only: string[] = [];
  let gatewaysOnly = false;
  let gatewayPer: 'class' | 'namespace' | undefined;
  let gatewayClassName: string | undefined;
  let gatewayNamespace: string | undefined;
  let allowedRoutes: 'Selector' | 'All' | undefined;
  for (let i = 0; i < rest.length; i++) {
    let arg = rest[i]!;
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const v = rest[i + 1];
      if (v === undefined) return undefined;
      i++;
      return v;
    };
    const need = (flag: string): string | ParseResult => {
      const v = value();
      return v === undefined || v === '' ? { kind: 'error', message: `${flag} needs a value` } : v;
    };
    let v: string | ParseResult;
    switch (arg) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '-f':
      case '--filename':
        if (typeof (v = need(arg)) !== 'string') return v;
        files.push(v);
        break;
      case '-o':
      case '--output':
        if (typeof (v = need(arg)) !== 'string') return v;
        output = v;
        break;
      case '--kubeconfig':
        if (typeof (v = need(arg)) !== 'string') return v;
        kubeconfig = v;
        break;
      case '--context':
        if (typeof (v = need(arg)) !== 'string') return v;
        context = v;
        break;
      case '-n':
      case '--namespace':
        if (typeof (v = need(arg)) !== 'string') return v;
        namespaces.push(v);
        break;
      case '--gateways-only':
        gatewaysOnly = true;
        break;
      case '--ingress':
        if (typeof (v = need(arg)) !== 'string') return v;
        if (!/^[^/]+\/[^/]+$/.test(v)) return { kind: 'error', message: `--ingress wants NAMESPACE/NAME, got "${v}"` };
        only.push(v);
        break;
      case '--ingress-class':
        if (typeof (v = need(arg)) !== 'string') return v;
        classes.push(v);
        break;
      case '--gateway-per':
        if (typeof (v = need(arg)) !== 'string') return v;
        if (v !== 'class' && v !== 'namespace') return { kind: 'error', message: `--gateway-per must be "class" or "namespace", got "${v}"` };
        gatewayPer = v;
        break;
      case '--gateway-class':
        if (typeof (v = need(arg)) !== 'string') return v;
        gatewayClassName = v;
        break;
      case '--gateway-namespace':
        if (typeof (v = need(arg)) !== 'string') return v;
        gatewayNamespace = v;
        break;
      case '--allowed-routes':
        if (typeof (v = need(arg)) !== 'string') return v;
        if (v !== 'Selector' && v !== 'All') return { kind: 'error', message: `--allowed-routes must be "Selector" or "All", got "${v}"` };
        allowedRoutes = v;
        break;
      default:
        return { kind: 'error', message: `unknown flag "${rest[i]}"` };
    }
  }
  const outputs = sub === 'assess' ? ['table', 'json'] : ['yaml', 'json'];
  if (!outputs.includes(output)) return { kind: 'error', message: `-o must be one of ${outputs.join(', ')} for ${sub}, got "${output}"` };
  if (gatewayNamespace && gatewayPer === 'namespace')
    return { kind: 'error', message: "--gateway-namespace applies to --gateway-per class only (per-namespace Gateways live in their Ingresses' namespace)" };
  if (gatewaysOnly && (namespaces.length || only.length))
    return { kind: 'error', message: '--gateways-only selects no Ingress; it cannot be combined with -n or --ingress' };
  if (files.length > 0 && (kubeconfig || context)) return { kind: 'error', message: '--kubeconfig and --context apply to cluster input, not to -f' };
  const options: ConvertOptions = {
    ...(gatewayPer ? { gatewayPer } : {}),
    ...(gatewayClassName ? { gatewayClassName } : {}),
    ...(gatewayNamespace ? { gatewayNamespace } : {}),
    ...(allowedRoutes ? { allowedRoutes } : {}),
    ...(classes.length ? { ingressClasses: classes } : {}),
    // --gateways-only selects no Ingress: what remains belongs to the Gateways.
    ...(gatewaysOnly ? { select: { namespaces: [], ingresses: [] } } : {}),
    ...(!gatewaysOnly && (namespaces.length || only.length)
      ? { select: { ...(namespaces.length ? { namespaces } : {}), ...(only.length ? { ingresses: only } : {}) } }
      : {}),
  };
  return {
    kind: 'ok',
    parsed: { sub, files, output, ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}), options },
  };
}

export async function migrateCommand(args: string[], io: MigrateIo): Promise<number> {
  const p = parseMigrateArgs(args);
  if (p.kind === 'help') {
    io.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  if (p.kind === 'error') {
    io.stderr.write(`switchyard migrate: ${p.message}\n\n${MIGRATE_USAGE}`);
    return 2;
  }
  const { parsed } = p;
  let objects: KubeObject[];
  let errors: string[];
  try {
    const loaded =
      parsed.files.length > 0
        ? await loadFromFiles(parsed.files)
        : await loadFromCluster({ ...(parsed.kubeconfig ? { kubeconfig: parsed.kubeconfig } : {}), ...(parsed.context ? { context: parsed.context } : {}) });
    objects = loaded.objects;
    errors = loaded.errors;
  } catch (e) {
    io.stderr.write(`switchyard migrate: cannot read the cluster: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (parsed.files.length === 0 && errors.length > 0) {
    // A partial read of a cluster (say, Ingresses forbidden by RBAC) would
    // give a plausible but wrong inventory: stop instead.
    for (const e of errors) io.stderr.write(`switchyard migrate: ${e}\n`);
    return 1;
  }
  // Manifest directories often hold kinds the migration does not read; such
  // documents are reported and skipped, the rest is still converted.
  for (const e of errors) io.stderr.write(`warning: ${e}\n`);
  if (objects.length === 0 && errors.length > 0) return 1;

  if (parsed.sub === 'assess') {
    const a = assess(objects, parsed.options);
    io.stdout.write(parsed.output === 'json' ? `${JSON.stringify(a, null, 2)}\n` : renderAssessment(a));
    return 0;
  }
  const r = convert(objects, parsed.options);
  if (parsed.output === 'json') {
    io.stdout.write(`${JSON.stringify({ objects: r.objects, findings: r.findings, ingresses: r.ingresses }, null, 2)}\n`);
  } else {
    io.stdout.write(objectsToYaml(r.objects, r.findings));
  }
  for (const f of r.findings) if (f.outcome !== 'converted') io.stderr.write(`${formatFinding(f)}\n`);
  return 0;
}
