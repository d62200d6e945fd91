// Bad command lines and bootstraps fail with one line naming the option or field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseStandinArgs, UsageError } from './args.js';
import { BootstrapError, readBootstrap } from './bootstrap.js';
import { REPO } from './testing/harness.js';

function bootstrapFile(text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'standin-bad-')), 'envoy.yaml');
  fs.writeFileSync(p, text);
  return p;
}

describe('command line and bootstrap', () => {
  it("takes a fleet pod's Envoy command line; rejects unknown options and a missing -c", () => {
    expect(parseStandinArgs(['-c', '/etc/envoy/envoy.yaml', '--service-node', 'pod-1', '--log-level', 'info', '--drain-time-s', '30'])).toEqual({
      configPath: '/etc/envoy/envoy.yaml',
      serviceNode: 'pod-1',
      logLevel: 'info',
      drainTimeSeconds: 30,
    });
    expect(() => parseStandinArgs(['--service-node', 'x'])).toThrow(new UsageError('-c/--config-path is required (the Envoy bootstrap file)'));
    expect(() => parseStandinArgs(['-c', 'x', '--bogus'])).toThrow(UsageError);
  });

  it('reads the local bootstrap: delta ADS in plaintext to 127.0.0.1:18000, the fleet from --service-cluster', () => {
    const b = readBootstrap({ configPath: path.join(REPO, 'envoy/bootstrap-local.yaml'), serviceCluster: 'web/gw' });
    expect(b.node).toEqual({ id: 'local-envoy', cluster: 'web/gw' });
    expect(b.xds).toEqual({ host: '127.0.0.1', port: 18000, mode: 'delta' });
    expect(b.admin).toEqual({ address: '127.0.0.1', port: 19000 });
  });

  it('names the file and the field that is wrong', () => {
    expect(() => readBootstrap({ configPath: '/nonexistent/envoy.yaml' })).toThrow(BootstrapError);
    const noAds = bootstrapFile('node: {id: x}\nstatic_resources: {}\n');
    expect(() => readBootstrap({ configPath: noAds })).toThrow(`${noAds}: dynamic_resources.ads_config is missing (the stand-in only speaks ADS)`);
    const noCluster = bootstrapFile('dynamic_resources: {ads_config: {api_type: GRPC, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}}\n');
    expect(() => readBootstrap({ configPath: noCluster })).toThrow(`${noCluster}: the xDS cluster "xds" is not in static_resources.clusters`);
    const rest = bootstrapFile('dynamic_resources: {ads_config: {api_type: REST, grpc_services: [{envoy_grpc: {cluster_name: xds}}]}}\n');
    expect(() => readBootstrap({ configPath: rest })).toThrow(/api_type "REST": only GRPC and DELTA_GRPC are served/);
  });
});
