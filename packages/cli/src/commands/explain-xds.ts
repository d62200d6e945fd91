// `switchyard explain --xds ADDRESS --fleet NS/NAME`: the command-line side of
// fetching a fleet's resources from a running Switchyard (standalone mode, or
// the in-cluster controller through a port-forward).
import { readFile } from 'node:fs/promises';
import type { EnvoyResources } from '@switchyard/protos';
import { fetchFleetResources, isFleetId, XdsFetchError, type XdsSource } from '@switchyard/xds';
import { UsageError, UserError } from '../io.js';

export interface XdsFlags {
  readonly xds?: string | undefined;
  readonly fleet?: string | undefined;
  readonly 'xds-cert'?: string | undefined;
  readonly 'xds-key'?: string | undefined;
  readonly 'xds-ca'?: string | undefined;
  readonly insecure?: boolean | undefined;
}

/** Checks the flags at once (a usage error before any I/O); the files are read when the promise is awaited. */
export function xdsSourceOf(flags: XdsFlags): Promise<XdsSource> {
  const address = flags.xds ?? '';
  if (!/^[^\s/]+:\d+$/.test(address)) throw new UsageError(`--xds: expected HOST:PORT (for example 127.0.0.1:18000), got "${address}"`);
  if (flags.fleet === undefined) throw new UsageError('--xds needs --fleet NAMESPACE/NAME (the Gateway whose Envoys to fetch as)');
  const fleet = flags.fleet;
  if (!isFleetId(fleet)) throw new UsageError(`--fleet: expected the Gateway's NAMESPACE/NAME (for example networking/external-gateway), got "${fleet}"`);
  const files = [flags['xds-cert'], flags['xds-key'], flags['xds-ca']];
  if (flags.insecure) {
    if (files.some((f) => f !== undefined)) throw new UsageError('--insecure: plaintext takes no --xds-cert/--xds-key/--xds-ca');
    return Promise.resolve({ address, fleet, tls: { insecure: true } });
  }
  if (files.some((f) => f === undefined))
    throw new UsageError("--xds: give the fleet's --xds-cert, --xds-key and --xds-ca (mTLS), or --insecure for a plaintext server (standalone mode)");
  const read = async (flag: string, file: string) => {
    try {
      return await readFile(file);
    } catch (e) {
      throw new UserError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  };
  return Promise.all([read('--xds-cert', files[0]!), read('--xds-key', files[1]!), read('--xds-ca', files[2]!)]).then(([certPem, keyPem, caPem]) => ({
    address,
    fleet,
    tls: { certPem, keyPem, caPem },
  }));
}

export async function fetchFromXds(source: XdsSource): Promise<EnvoyResources> {
  try {
    return (await fetchFleetResources(source)).resources;
  } catch (e) {
    if (e instanceof XdsFetchError) throw new UserError(`--xds ${e.message}`);
    throw e;
  }
}
