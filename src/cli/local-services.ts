import { ConfigEditor, SecretsService, announceSecretsChanged } from '../main/local/edit.js';
import type { Config } from '../shared/config-schema.js';
import type { CliContext } from './cli-context.js';

/** The editor and the secrets service over the config as it is now. */
export function localServices(ctx: CliContext, config: Config) {
  const editor = new ConfigEditor({ paths: ctx.paths });
  const secrets = new SecretsService({
    store: ctx.keychain(),
    editConfig: (edits) => editor.applyEdits(edits),
    getConfig: () => config,
    env: ctx.env,
  });
  return { editor, secrets };
}

/**
 * Tells a running gateway that this command changed the keychain (it watches
 * `<home>/state/secrets-changed`); the change itself is done either way.
 */
export async function announceKeychainChange(ctx: CliContext): Promise<void> {
  try {
    await announceSecretsChanged(ctx.paths, ctx.clock.now());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.io.err(
      `note: could not tell a running gateway about the change (${reason}); restart it to use the new value\n`,
    );
  }
}
