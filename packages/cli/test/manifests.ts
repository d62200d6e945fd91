// Manifests the CLI tests start from, written as a user writes them.

/** The "switchyard" GatewayClass and the Gateway web/gw with one HTTP listener named http on `port`. */
export function gatewayYaml(port: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: switchyard.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, port: ${port}, protocol: HTTP}
`;
}
