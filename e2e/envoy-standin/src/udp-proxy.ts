// Envoy's udp_proxy: each client address gets a session with one endpoint of
// the listener's cluster (the model names the cluster; its endpoints carry
// the backends' weights), datagrams are relayed both ways, and a session
// ends after idle_timeout (Envoy's default, 60 s) without traffic.
import dgram from 'node:dgram';
import { clusterEndpoints, explainTlsConnection, pickWeighted } from './envoy-model.js';
import type { RouterContext } from './http-router.js';

const IDLE_TIMEOUT_MS = 60_000;

interface Session {
  readonly upstream: dgram.Socket;
  timer: NodeJS.Timeout;
  /** Datagrams that arrived before the upstream socket was connected. */
  queue: Buffer[] | undefined;
}

export class UdpListener {
  private readonly sessions = new Map<string, Session>();

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly port: number,
    private readonly ctx: RouterContext,
  ) {
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  static bind(host: string, port: number, ctx: RouterContext): Promise<UdpListener> {
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (e) => ctx.log.warn(`udp listener ${host}:${port}: ${e.message}`));
        resolve(new UdpListener(socket, port, ctx));
      });
    });
  }

  close(): void {
    for (const s of this.sessions.values()) {
      clearTimeout(s.timer);
      s.upstream.close();
    }
    this.sessions.clear();
    this.socket.close();
  }

  private onMessage(msg: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = this.open(key, from);
      if (!s) return;
    }
    s.timer.refresh();
    if (s.queue) s.queue.push(msg);
    else s.upstream.send(msg);
  }

  private open(key: string, from: dgram.RemoteInfo): Session | undefined {
    const resources = this.ctx.resources();
    const ex = explainTlsConnection(resources, { port: this.port, transport: 'udp' });
    if (ex.outcome !== 'accepted' || ex.action.kind !== 'udp_proxy') return undefined;
    const clusterName = ex.action.backends[0]?.cluster;
    const cluster = resources.clusters.find((c) => c.name === clusterName);
    const endpoints = cluster ? clusterEndpoints(cluster, resources) : [];
    const ep = pickWeighted(endpoints, Math.floor(Math.random() * endpoints.reduce((n, e) => n + e.weight, 0)));
    if (!ep) {
      this.ctx.log.debug(`udp_proxy: no endpoint for ${clusterName ?? '(no cluster)'}: datagram dropped`);
      return undefined;
    }
    const upstream = dgram.createSocket(ep.address.includes(':') ? 'udp6' : 'udp4');
    upstream.connect(ep.port, ep.address, () => {
      for (const m of session.queue ?? []) upstream.send(m);
      session.queue = undefined;
    });
    upstream.on('message', (reply) => {
      this.socket.send(reply, from.port, from.address);
      session.timer.refresh();
    });
    upstream.on('error', () => this.end(key));
    const session: Session = { upstream, timer: setTimeout(() => this.end(key), IDLE_TIMEOUT_MS), queue: [] };
    this.sessions.set(key, session);
    return session;
  }

  private end(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    s.upstream.close();
    this.sessions.delete(key);
  }
}
