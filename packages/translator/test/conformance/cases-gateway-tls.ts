// Gateway conformance tests about TLS: frontend client certificate
// validation (default and per port, strict and AllowInsecureFallback),
// invalid validation settings, and the Gateway's backend client certificate.
import type { ConformanceTest, Step, TlsClientCertificateExpectation } from './types.js';
import { accepted, acceptedAndResolved, cond, infra, INFRA, reaches, resolvedRefs, V1, V2 } from './dsl.js';

const CA = infra('tls-validity-checks-ca-certificate');
const PER_PORT_CA = infra('tls-validity-checks-per-port-ca-certificate');

function clientCert(
  gateway: string,
  port: number,
  sni: string,
  policy: TlsClientCertificateExpectation['policy'],
  trustedCa: string,
): TlsClientCertificateExpectation {
  return { kind: 'tls-client-certificate', gateway, port, sni, policy, trustedCa };
}

function listenerConditions(gateway: string, listener: string, conditions: Parameters<typeof cond>[]): Step {
  return { kind: 'listener-conditions', gateway, listeners: [listener], conditions: conditions.map((c) => cond(...c)) };
}

/** Both validation tests: the same two listeners, the same requests; only the policy differs. */
function validationSteps(gateway: string, routes: string[], policy: TlsClientCertificateExpectation['policy']): Step[] {
  return [
    ...acceptedAndResolved(gateway, routes),
    reaches(gateway, '/', V1, INFRA, { host: 'example.org', scheme: 'https', listener: 'https' }),
    clientCert(gateway, 443, 'example.org', policy, CA),
    reaches(gateway, '/', V2, INFRA, { host: 'second-example.org', scheme: 'https', listener: 'https-with-hostname' }),
    clientCert(gateway, 8443, 'second-example.org', policy, PER_PORT_CA),
  ];
}

export const gatewayTlsTests: ConformanceTest[] = [
  {
    name: 'GatewayFrontendClientCertificateValidation',
    manifests: ['tests/gateway-with-clientcertificate-validation.yaml'],
    steps: validationSteps(
      infra('client-validation-default'),
      [infra('client-certificate-validation-https-test'), infra('client-certificate-validation-https-test-no-hostname')],
      'required',
    ),
  },
  {
    name: 'GatewayFrontendClientCertificateValidationInsecureFallback',
    manifests: ['tests/gateway-with-clientcertificate-validation-insecure-fallback.yaml'],
    steps: [
      ...validationSteps(
        infra('client-validation-insecure-fallback'),
        [infra('client-cert-validation-insecure-fallback-test'), infra('client-cert-validation-insecure-fallback-test-no-hostname')],
        'optional',
      ),
      {
        kind: 'gateway-condition',
        gateway: infra('client-validation-insecure-fallback'),
        condition: cond('InsecureFrontendValidationMode', 'True', 'ConfigurationChanged'),
      },
    ],
  },
  {
    name: 'GatewayInvalidFrontendClientCertificateValidation',
    manifests: ['tests/gateway-with-invalid-clientcertificate-validation.yaml'],
    steps: (() => {
      const gw = infra('gateway-with-invalid-client-cert-validation');
      return [
        listenerConditions(gw, 'https', [
          ['ResolvedRefs', 'True'],
          ['Accepted', 'True'],
          ['Programmed', 'True'],
        ]),
        listenerConditions(gw, 'https-unresolved', [
          ['ResolvedRefs', 'False', 'InvalidCACertificateRef'],
          ['Accepted', 'False', 'NoValidCACertificate'],
          ['Programmed', 'False'],
        ]),
        listenerConditions(gw, 'https-invalid-kind', [
          ['ResolvedRefs', 'False', 'InvalidCACertificateKind'],
          ['Accepted', 'False', 'NoValidCACertificate'],
          ['Programmed', 'False'],
        ]),
        listenerConditions(gw, 'https-grant-missing', [
          ['ResolvedRefs', 'False', 'RefNotPermitted'],
          ['Accepted', 'False', 'NoValidCACertificate'],
          ['Programmed', 'False'],
        ]),
      ];
    })(),
  },
  {
    name: 'GatewayFrontendInvalidDefaultClientCertificateValidation',
    manifests: ['tests/gateway-invalid-default-frontend-client-certificate-validation.yaml'],
    steps: (() => {
      const gw = infra('invalid-default-client-validation-config');
      return [
        listenerConditions(gw, 'http', [
          ['ResolvedRefs', 'True'],
          ['Accepted', 'True'],
          ['Programmed', 'True'],
        ]),
        reaches(gw, '/', V1, INFRA, { host: 'example.org', listener: 'http' }),
        listenerConditions(gw, 'https', [
          ['ResolvedRefs', 'False', 'InvalidCACertificateRef'],
          ['Accepted', 'False', 'NoValidCACertificate'],
          ['Programmed', 'False'],
        ]),
        { kind: 'http', gateway: gw, listener: 'https', scheme: 'https', request: { host: 'example.org', path: '/' }, namespace: INFRA, expectFailure: true },
      ];
    })(),
  },
  {
    name: 'GatewayInvalidTLSBackendConfiguration',
    manifests: ['tests/gateway-invalid-tls-backend-configuration.yaml'],
    steps: (
      [
        ['gateway-client-certificate-nonexistent-secret', 'InvalidClientCertificateRef'],
        ['gateway-client-certificate-unsupported-group', 'InvalidClientCertificateRef'],
        ['gateway-client-certificate-unsupported-kind', 'InvalidClientCertificateRef'],
        ['gateway-client-certificate-malformed-secret', 'InvalidClientCertificateRef'],
        ['gateway-client-certificate-missing-reference-grant', 'RefNotPermitted'],
      ] as const
    ).flatMap(([g, reason]): Step[] => [
      { kind: 'gateway-condition', gateway: infra(g), condition: cond('ResolvedRefs', 'False', reason) },
      { kind: 'gateway-condition', gateway: infra(g), condition: cond('Accepted', 'True', 'Accepted') },
    ]),
  },
  {
    name: 'GatewayTLSBackendClientCertificate',
    manifests: ['tests/gateway-tls-backend-client-certificate.yaml'],
    // The BackendTLSPolicy's own status and the certificate the backend sees are not encoded here; routing and Gateway status are.
    steps: (() => {
      const gw = infra('gateway-tls-backend-client-certificate');
      return [
        { kind: 'namespace-ready' as const, namespaces: [INFRA] },
        accepted(gw, [infra('gateway-tls-backend-client-certificate')]),
        resolvedRefs(infra('gateway-tls-backend-client-certificate'), gw),
        { kind: 'gateway-condition' as const, gateway: gw, condition: cond('ResolvedRefs', 'True', 'ResolvedRefs') },
        reaches(gw, '/', '', INFRA, { host: 'abc.example.com' }),
      ];
    })(),
  },
];
