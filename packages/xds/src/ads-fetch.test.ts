import { describe, expect, it } from '@jest/globals';
import { encodeMessage, RESOURCE_FIELDS } from '@switchyard/protos';
import { fetchFleetResources, XdsFetchError } from './ads-fetch.js';
import { fixture } from '../test/fixtures.js';
import { serverPerTest } from '../test/test-server.js';

const xds = serverPerTest();

describe('fetchFleetResources', () => {
  it("returns exactly the set the fleet is served, every type, and only that fleet's", async () => {
    const mine = fixture({ clusters: ['a', 'b'], secret: 'cert-a' });
    xds.cache.setFleet('team/gw', mine);
    xds.cache.setFleet('other/gw', fixture({ clusters: ['z'] }));
    const { resources, versions } = await fetchFleetResources({ address: `127.0.0.1:${xds.port}`, fleet: 'team/gw', tls: { insecure: true } });
    for (const [field, url] of RESOURCE_FIELDS) {
      expect({ field, count: resources[field].length }).toEqual({ field, count: mine[field].length });
      // Same bytes: what was fetched is what the cache holds, decoded.
      expect(resources[field].map((r) => Buffer.from(encodeMessage(url, r)).toString('base64'))).toEqual(
        mine[field].map((r) => Buffer.from(encodeMessage(url, r)).toString('base64')),
      );
    }
    expect(Object.keys(versions).sort()).toEqual(RESOURCE_FIELDS.map(([, url]) => url).sort());
  });

  it('says when the server refuses the node', async () => {
    const err = await fetchFleetResources({ address: `127.0.0.1:${xds.port}`, fleet: 'not-a-fleet', tls: { insecure: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XdsFetchError);
    expect((err as Error).message).toMatch(
      /^127\.0\.0\.1:\d+: INVALID_ARGUMENT: switchyard xds: insecure mode: node.cluster must be the Gateway's "namespace\/name"/,
    );
  });
});
