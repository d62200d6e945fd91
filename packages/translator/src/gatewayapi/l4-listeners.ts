// The layer-4 listener protocols: TCP (TCPRoute, tcp_proxy) and UDP
// (UDPRoute, udp_proxy). Neither has a hostname to tell listeners apart, so
// two TCP (or two UDP) listeners on one port conflict; a TCP and a UDP
// listener on the same port do not (different transports).
import type { ListenerProtocol } from './listener-protocols.js';

export const TCP: ListenerProtocol = {
  protocol: 'TCP',
  transport: 'TCP',
  family: 'tcp',
  routeKinds: ['TCPRoute'],
  usesHostname: false,
  validate(listener, gateway) {
    const i = Array.isArray(gateway.spec?.listeners) ? gateway.spec.listeners.indexOf(listener) : -1;
    if (listener.tls) return { notAccepted: { reason: 'UnsupportedValue', message: `spec.listeners[${i}].tls must not be set for protocol TCP` } };
    return {};
  },
};

export const UDP: ListenerProtocol = {
  protocol: 'UDP',
  transport: 'UDP',
  family: 'udp',
  routeKinds: ['UDPRoute'],
  usesHostname: false,
  validate(listener, gateway) {
    const i = Array.isArray(gateway.spec?.listeners) ? gateway.spec.listeners.indexOf(listener) : -1;
    if (listener.tls) return { notAccepted: { reason: 'UnsupportedValue', message: `spec.listeners[${i}].tls must not be set for protocol UDP` } };
    return {};
  },
};
