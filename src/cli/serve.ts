/** `pcsim serve`: the simulated Databricks with its admin API and UI. */
import { loadPartnerConfig } from '../contract/partner-config.js';
import { slug } from '../databricks/databricks.js';
import { ServeConfigError, startServer } from '../server/start.js';
import { StoreError } from '../store/errors.js';
import { credentialsFromEnv } from './credentials.js';
import { partnerTiming } from './partner-timing.js';
import { EXIT, parsePort, UsageError, type CliIO } from './io.js';
import { trustHints, withCaFile } from '../workspace/certificate.js';

export interface ServeFlags {
  port: string;
  host: string;
  partner: string[];
  data: string;
  memory?: boolean;
  seed?: boolean;
  timeoutMs?: string;
  retryBackoffMs?: string;
  showSecrets?: boolean;
  publicHost?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export async function serveCommand(flags: ServeFlags, io: CliIO, signal: Promise<void>): Promise<number> {
  const port = parsePort('--port', flags.port);
  const { backoff, timeoutMs } = partnerTiming(flags);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new UsageError(
      `Failed to read ${flags.tlsCert === undefined ? '--tls-key' : '--tls-cert'}: it was given without ${flags.tlsCert === undefined ? '--tls-cert' : '--tls-key'}. Expected both (a PEM certificate and its key) or neither.`,
    );
  const env = credentialsFromEnv(io.env);
  const log = (line: string) => io.err(`pcsim: ${line}\n`);
  if (flags.showSecrets)
    log(
      'WARNING: --show-secrets is on: Basic passwords, PATs and OAuth secrets appear in clear in the journal and the UI. Use it for local debugging only.',
    );
  if (flags.host === '0.0.0.0' || flags.host === '::')
    log(
      `warning: listening on ${flags.host}: every machine that can reach this one can drive pcsim and read its journal. Use it inside a container or a trusted network only.`,
    );
  if (flags.partner.length > 0 && env.defaulted)
    log(
      "warning: BASIC_USER/BASIC_PASSWORD are not both set; sending the reference partner's default credentials to your partner. Set them to the Basic credentials your partner issued to Databricks.",
    );

  const clash = await sameNameClash(flags.partner);
  if (clash) {
    io.err(`pcsim: ${clash}\n`);
    return EXIT.usage;
  }

  let running;
  try {
    running = await startServer({
      port,
      host: flags.host,
      partners: flags.partner,
      dataDir: flags.memory ? null : flags.data,
      credentials: env.credentials,
      patToken: env.patToken,
      timeoutMs,
      retryBackoffMs: backoff,
      showSecrets: flags.showSecrets,
      seed: flags.seed,
      publicHost: flags.publicHost,
      tls: flags.tlsCert && flags.tlsKey ? { certFile: flags.tlsCert, keyFile: flags.tlsKey } : undefined,
      log,
    });
  } catch (err) {
    if (err instanceof ServeConfigError || err instanceof StoreError) {
      io.err(`pcsim: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const s = running.store.read();
  const partners = s.partners
    .map((p) => `${p.config.name} (${p.source === 'reference' ? 'built-in reference partner' : p.source})`)
    .join(', ');
  log(
    `serving on ${running.url} (state: ${flags.memory ? 'memory only' : flags.data}; ${s.workspaces.length} workspaces, ${s.users.length} users, ${s.connections.length} connections; partners: ${partners})`,
  );
  const ca = await withCaFile(running.tls);
  for (const hint of trustHints(ca.tls)) log(hint);
  log(`open ${running.url}/ in a browser, or try: curl ${running.url}/api/health   (Ctrl-C stops)`);
  await signal;
  log('stopping…');
  await running.close();
  await ca.remove();
  return EXIT.ok;
}

/**
 * Two partner files whose names make the same partner id would be one tile, the second silently
 * replacing the first (dev and staging mixed up): refused, naming both files. Files that cannot be
 * read are left to startServer, which reports their problems.
 */
export async function sameNameClash(files: readonly string[]): Promise<string | undefined> {
  const seen = new Map<string, { file: string; name: string }>();
  for (const file of files) {
    const loaded = await loadPartnerConfig(file);
    if (!loaded.ok) continue;
    const id = slug(loaded.config.name);
    const first = seen.get(id);
    if (first) {
      const [a, b] = [JSON.stringify(first.name), JSON.stringify(loaded.config.name)];
      const same =
        a === b ? `the same name ${a}` : `names that make the same partner id ${JSON.stringify(id)} (${a}, ${b})`;
      return (
        `Failed to register the partners: ${first.file} and ${file} have ${same},` +
        ' so one would replace the other in a single tile. Expected a distinct "name" in each partner file' +
        ' (e.g. add " (staging)").'
      );
    }
    seen.set(id, { file, name: loaded.config.name });
  }
  return undefined;
}
