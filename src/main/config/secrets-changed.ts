/**
 * `<home>/state/secrets-changed`: how the CLI tells a running gateway that it changed a
 * keychain entry (e.g. a new gateway token), which no config file event shows. The file
 * only carries a time stamp; the gateway watches its folder (`ConfigWatcher` event
 * `secrets`) and re-resolves its shared secret, so the change applies at once without the
 * CLI having to reach, and authenticate to, the gateway.
 */
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { AppPaths } from './paths.js';

/** Rewrites `paths.secretsChanged` (atomically, so the gateway sees one complete event). */
export async function announceSecretsChanged(paths: AppPaths, nowMs: number): Promise<void> {
  await writeFileAtomic(paths.secretsChanged, `${new Date(nowMs).toISOString()}\n`, {
    mode: 0o600,
  });
}
