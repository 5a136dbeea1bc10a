import { ConfigEditor, SecretsService } from '../main/local/edit.js';
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
