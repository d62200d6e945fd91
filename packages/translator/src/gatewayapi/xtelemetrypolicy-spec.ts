// XTelemetryPolicy spec: what the v1.7.0 CRD's schema and CEL rules refuse
// (checked again because objects from files, `switchyard translate -f` and
// `serve --from-dir`, have met no API server), then what Envoy cannot do
// with a valid spec. Both return the first problem, naming the field; a
// policy with either is Accepted=False, reason Invalid, and changes nothing.
//
// What Envoy can and cannot honour (Envoy's OpenTelemetry tracer, without a
// sampler extension):
// - samplingRate: the HTTP connection manager's random_sampling, which decides
//   for requests that carry no sampling decision.
// - parentBasedSampling: the tracer always follows a request's traceparent
//   (sampled or not). So Enabled (or ImplementationDefault) at 100% is what
//   Envoy does; Disabled, or a samplingRate below 100%, is not supported.
// - attributes: Literal and Header sources become custom tags; an Attribute
//   source only for the semantic-convention keys whose value Envoy reads from
//   the request as it is (ATTRIBUTE_HEADERS, and http.request.header.<name>).
//   Envoy's tracer already reports its own standard span attributes.
import type { Fraction, TelemetryAttribute, TracingConfig } from '@switchyard/api';

type Raw = Record<string, unknown>;
const obj = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, min: number, max: number, re?: RegExp): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max && (!re || re.test(v));
const int = (v: unknown, min: number, max = 2 ** 31 - 1) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const NAME = /^[a-zA-Z0-9_.:/-]+$/;
const SPAN_NAME = /^[a-zA-Z0-9_.:/-]+( [a-zA-Z0-9_.:/-]+)*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const ATTRIBUTE_KEY = /^[a-z0-9_.-]+$/;
const MODES = ['Enabled', 'Disabled', 'ImplementationDefault'];

/** Semantic-convention keys Envoy can report exactly, from the request header that holds the value. */
export const ATTRIBUTE_HEADERS: Readonly<Record<string, string>> = {
  'http.request.method': ':method',
  'url.scheme': ':scheme',
  'user_agent.original': 'user-agent',
};
const REQUEST_HEADER_ATTRIBUTE = 'http.request.header.';

/** The request header an Attribute source reads, or undefined when Envoy has no exact equivalent. */
export function attributeHeader(key: string): string | undefined {
  if (key.startsWith(REQUEST_HEADER_ATTRIBUTE) && key.length > REQUEST_HEADER_ATTRIBUTE.length) return key.slice(REQUEST_HEADER_ATTRIBUTE.length);
  return ATTRIBUTE_HEADERS[key];
}

function fractionProblem(f: unknown, field: string): string | undefined {
  if (!obj(f)) return `${field} must be an object`;
  if (!int(f.numerator, 0)) return `${field}.numerator must be an integer >= 0`;
  if (f.denominator !== undefined && !int(f.denominator, 1)) return `${field}.denominator must be an integer >= 1`;
  if ((f.numerator as number) > ((f.denominator as number | undefined) ?? 100)) return `${field}: numerator must be less than or equal to denominator`;
  return undefined;
}

/** The fraction as a percentage (denominator defaults to 100). */
export function percentOf(f: Fraction): number {
  return (f.numerator / (f.denominator ?? 100)) * 100;
}

function targetRefsProblem(refs: unknown): string | undefined {
  if (!Array.isArray(refs) || refs.length < 1 || refs.length > 16) return 'spec.targetRefs must list 1 to 16 references';
  for (const [i, r] of refs.entries()) {
    if (!obj(r) || typeof r.group !== 'string' || !str(r.kind, 1, 63) || !str(r.name, 1, 253)) return `spec.targetRefs[${i}] needs group, kind and name`;
  }
  return undefined;
}

function providerProblem(p: unknown): string | undefined {
  const field = 'spec.tracing.provider';
  if (!obj(p)) return `${field} must be an object`;
  const b = p.backendRef;
  if (!obj(b) || !str(b.name, 1, 253)) return `${field}.backendRef.name is required`;
  if (b.port !== undefined && !int(b.port, 1, 65535)) return `${field}.backendRef.port must be 1-65535`;
  if ((b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' && b.port === undefined) return `${field}.backendRef: Must have port for Service reference`;
  if (p.headers !== undefined) {
    if (!Array.isArray(p.headers) || p.headers.length > 16) return `${field}.headers must be a list of at most 16`;
    const seen = new Set<string>();
    for (const [i, h] of p.headers.entries()) {
      if (!obj(h) || !str(h.name, 1, 256, HEADER_NAME) || typeof h.value !== 'string') return `${field}.headers[${i}] needs a header name and a value`;
      const k = h.name.toLowerCase();
      if (seen.has(k)) return `${field}.headers[${i}]: ${h.name} is listed twice`;
      seen.add(k);
    }
  }
  return undefined;
}

function attributeProblem(a: unknown, field: string): string | undefined {
  if (!obj(a) || !str(a.name, 1, 256, NAME)) return `${field}.name must match ${NAME.source}`;
  const sources: Record<string, string> = { Header: 'headerName', Literal: 'literalValue', Attribute: 'attributeKey' };
  const own = typeof a.sourceType === 'string' ? sources[a.sourceType] : undefined;
  if (!own) return `${field}.sourceType must be Header, Literal or Attribute`;
  for (const f of Object.values(sources)) if (f !== own && a[f] !== undefined) return `${field}.${f} must be empty when sourceType is ${String(a.sourceType)}`;
  if (a.sourceType === 'Header' && !str(a.headerName, 1, 256, HEADER_NAME)) return `${field}.headerName is required when sourceType is Header`;
  if (a.sourceType === 'Literal' && !str(a.literalValue, 1, 1024)) return `${field}.literalValue is required when sourceType is Literal`;
  if (a.sourceType === 'Attribute' && !str(a.attributeKey, 1, 256, ATTRIBUTE_KEY)) return `${field}.attributeKey is required when sourceType is Attribute`;
  return undefined;
}

function tracingProblem(t: unknown): string | undefined {
  if (!obj(t)) return 'spec.tracing is required';
  const mode = t.mode ?? 'ImplementationDefault';
  if (typeof mode !== 'string' || !MODES.includes(mode)) return `spec.tracing.mode must be one of ${MODES.join(', ')}`;
  if (mode === 'Enabled' ? t.provider === undefined : t.provider !== undefined)
    return 'spec.tracing: provider is required when mode is Enabled, and must be empty otherwise';
  for (const f of ['samplingRate', 'parentBasedSampling', 'serviceName', 'spanName', 'attributes'])
    if (t[f] !== undefined && mode !== 'Enabled') return `spec.tracing: ${f} can only be set when mode is Enabled`;
  if (t.provider !== undefined) {
    const p = providerProblem(t.provider);
    if (p) return p;
  }
  if (t.samplingRate !== undefined) {
    const p = fractionProblem(t.samplingRate, 'spec.tracing.samplingRate');
    if (p) return p;
  }
  const pb = t.parentBasedSampling;
  if (pb !== undefined) {
    if (!obj(pb)) return 'spec.tracing.parentBasedSampling must be an object';
    const pm = pb.mode ?? 'ImplementationDefault';
    if (typeof pm !== 'string' || !MODES.includes(pm)) return `spec.tracing.parentBasedSampling.mode must be one of ${MODES.join(', ')}`;
    if (pb.samplingRate !== undefined) {
      if (pm !== 'Enabled') return 'spec.tracing.parentBasedSampling: samplingRate can only be set when mode is Enabled';
      const p = fractionProblem(pb.samplingRate, 'spec.tracing.parentBasedSampling.samplingRate');
      if (p) return p;
    }
  }
  if (t.serviceName !== undefined && !str(t.serviceName, 1, 253, NAME)) return `spec.tracing.serviceName must match ${NAME.source} (1-253 characters)`;
  if (t.spanName !== undefined && !str(t.spanName, 1, 256, SPAN_NAME)) return `spec.tracing.spanName must match ${SPAN_NAME.source} (1-256 characters)`;
  if (t.attributes !== undefined) {
    if (!Array.isArray(t.attributes)) return 'spec.tracing.attributes must be a list';
    const names = new Set<unknown>();
    for (const [i, a] of t.attributes.entries()) {
      const p = attributeProblem(a, `spec.tracing.attributes[${i}]`);
      if (p) return p;
      if (names.has((a as Raw).name)) return `spec.tracing.attributes[${i}]: name ${String((a as Raw).name)} is listed twice`;
      names.add((a as Raw).name);
    }
  }
  return undefined;
}

/** The first thing the CRD would refuse, naming the field; undefined for a valid spec. */
export function telemetryPolicySpecProblem(spec: unknown): string | undefined {
  if (!obj(spec)) return 'spec is required';
  return targetRefsProblem(spec.targetRefs) ?? tracingProblem(spec.tracing);
}

/** The first setting of a valid spec's tracing Envoy cannot honour, naming the field (see the file comment). */
export function tracingSupportProblem(t: TracingConfig): string | undefined {
  const pb = t.parentBasedSampling;
  if (pb?.mode === 'Disabled')
    return "spec.tracing.parentBasedSampling.mode: Disabled is not supported: Envoy's OpenTelemetry tracer always follows the sampling decision of a request's traceparent";
  if (pb?.mode === 'Enabled' && pb.samplingRate && percentOf(pb.samplingRate) < 100)
    return 'spec.tracing.parentBasedSampling.samplingRate: only 100% is supported: Envoy cannot downsample requests whose parent span is sampled';
  for (const [i, a] of (t.attributes ?? []).entries()) {
    if (a.sourceType === 'Attribute' && !attributeHeader(a.attributeKey!))
      return `spec.tracing.attributes[${i}].attributeKey: ${a.attributeKey} is not supported (supported: ${[...Object.keys(ATTRIBUTE_HEADERS), `${REQUEST_HEADER_ATTRIBUTE}<name>`].join(', ')})`;
  }
  return undefined;
}

/** The request header an attribute reads, or its literal value (a valid, supported attribute). */
export function attributeSource(a: TelemetryAttribute): { kind: 'literal'; value: string } | { kind: 'request-header'; header: string } {
  if (a.sourceType === 'Literal') return { kind: 'literal', value: a.literalValue! };
  const header = a.sourceType === 'Header' ? a.headerName! : attributeHeader(a.attributeKey!)!;
  return { kind: 'request-header', header: header.toLowerCase() };
}
