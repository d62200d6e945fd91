// spec.tls of the Ingresses: which certificate each HTTPS host gets.
import { type IngressContext, type GatewayEnv, type TlsHost } from './convert-context.js';

/** TLS hosts: the oldest Ingress naming a host decides its certificate, as in ingress-nginx. */
export function tlsHostsOf(mains: readonly IngressContext[], env: GatewayEnv): Map<string, TlsHost> {
  const tlsHosts = new Map<string, TlsHost>();
  for (const c of mains) {
    (c.ing.spec?.tls ?? []).forEach((t, i) => {
      const field = `spec.tls[${i}]`;
      if (!t.secretName) {
        c.findings.push({
          object: c.id,
          field: `${field}.secretName`,
          outcome: 'not-convertible',
          message:
            'no secretName: ingress-nginx served its default certificate for these hosts; Gateway API listeners need a certificate, so no HTTPS listener is made for them',
        });
        return;
      }
      if (env.secretsKnown && !env.secretIndex.has(`${c.ns}/${t.secretName}`)) {
        c.findings.push({
          object: c.id,
          field: `${field}.secretName`,
          outcome: 'converted-with-caveat',
          message: `Secret ${c.ns}/${t.secretName} does not exist; the HTTPS listener will report it as an invalid certificate reference`,
        });
      }
      const hosts = t.hosts && t.hosts.length > 0 ? t.hosts : [''];
      for (const host of hosts) {
        const prior = tlsHosts.get(host);
        if (!prior) tlsHosts.set(host, { secretNamespace: c.ns, secretName: t.secretName, from: c.id });
        else if (prior.secretNamespace !== c.ns || prior.secretName !== t.secretName) {
          c.findings.push({
            object: c.id,
            field,
            outcome: 'converted-with-caveat',
            message: `host "${host || '*'}" already has certificate ${prior.secretNamespace}/${prior.secretName} from the older Ingress ${prior.from.namespace}/${prior.from.name}; ingress-nginx used that one too, so this one is not used`,
          });
        }
      }
      if (hosts.length === 1 && hosts[0] === '') {
        c.findings.push({
          object: c.id,
          field: `${field}.hosts`,
          outcome: 'converted-with-caveat',
          message: 'a TLS entry without hosts becomes an HTTPS listener without hostname (every host)',
        });
      }
    });
  }
  return tlsHosts;
}
