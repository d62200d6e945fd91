// Renders the Envoy bootstrap for a fleet from the template in envoy/
// (envoy/bootstrap.yaml, owned with the xDS server). The template uses
// {{NAME}} placeholders; every placeholder must have a value, so a template
// and controller that disagree fail loudly at start, not in Envoy.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENVOY_ADMIN_PORT, XDS_CERT_MOUNT } from './fleet.js';

export interface BootstrapValues {
  /** Gateway "namespace/name"; Envoy's --service-cluster / node.cluster. */
  readonly fleet: string;
  /** Host name of the controller's xDS Service. */
  readonly xdsHost: string;
  readonly xdsPort: number;
}

/** Where the template is found: next to the sources (repo checkout) or in the container image (/app/envoy). */
export function defaultBootstrapTemplatePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../envoy/bootstrap.yaml'), '/app/envoy/bootstrap.yaml'];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

export function loadBootstrapTemplate(path = defaultBootstrapTemplatePath()): string {
  return readFileSync(path, 'utf8');
}

/** The values the template may use. Certificate paths match the Secret mount of fleetObjects(). */
export function bootstrapVariables(v: BootstrapValues): Record<string, string> {
  const [namespace = '', name = ''] = v.fleet.split('/');
  return {
    FLEET: v.fleet,
    NODE_CLUSTER: v.fleet,
    GATEWAY_NAMESPACE: namespace,
    GATEWAY_NAME: name,
    XDS_HOST: v.xdsHost,
    XDS_PORT: String(v.xdsPort),
    XDS_CA_FILE: join(XDS_CERT_MOUNT, 'ca.crt'),
    XDS_CERT_FILE: join(XDS_CERT_MOUNT, 'tls.crt'),
    XDS_KEY_FILE: join(XDS_CERT_MOUNT, 'tls.key'),
    ADMIN_PORT: String(ENVOY_ADMIN_PORT),
  };
}

export function renderBootstrap(template: string, v: BootstrapValues): string {
  const vars = bootstrapVariables(v);
  return template.replace(/\{\{\s*([A-Z_]+)\s*\}\}/g, (_m, key: string) => {
    const val = vars[key];
    if (val === undefined)
      throw new Error(`envoy bootstrap template uses {{${key}}}, which the controller does not provide (known: ${Object.keys(vars).join(', ')})`);
    return val;
  });
}
