import { readFileSync } from 'node:fs';
import { defaultBootstrapTemplatePath, renderBootstrap } from './bootstrap.js';

describe('renderBootstrap', () => {
  it('fills every placeholder of envoy/bootstrap.yaml', () => {
    const out = renderBootstrap(readFileSync(defaultBootstrapTemplatePath(), 'utf8'), {
      fleet: 'shop/web',
      xdsHost: 'switchyard-xds.switchyard-system.svc',
      xdsPort: 18000,
    });
    expect(out).not.toMatch(/\{\{/);
    expect(out).toContain('cluster: "shop/web"');
    expect(out).toContain('/etc/switchyard/xds/tls.crt');
  });
  it('fails loudly on a placeholder the controller does not provide', () => {
    expect(() => renderBootstrap('x: {{NOPE}}', { fleet: 'a/b', xdsHost: 'h', xdsPort: 1 })).toThrow(/NOPE/);
  });
});
