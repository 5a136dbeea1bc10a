import { ChatService, type ChatLimits } from '../agents/chat-service.js';
import { SessionStore } from '../agents/session-store.js';
import { AuthProfiles } from '../auth-profiles/auth-profiles.js';
import { ProfileStateStore } from '../auth-profiles/profile-state-store.js';
import { ModelCatalog } from '../providers/model-catalog.js';
import type { AppBasics } from './basics.js';
import type { SecretsSetup } from './setup-secrets.js';

/** Chat and what it stands on: sessions, provider auth profiles, model listings. */
export interface ChatSetup {
  readonly chat: ChatService;
  readonly sessions: SessionStore;
  readonly profiles: AuthProfiles;
  readonly catalog: ModelCatalog;
}

/** Opens the sessions folder and the profile state file and builds the chat service. */
export async function setupChat(
  { paths, clock, logger }: Pick<AppBasics, 'paths' | 'clock' | 'logger'>,
  { secrets, currentConfig }: Pick<SecretsSetup, 'secrets' | 'currentConfig'>,
  limits?: Partial<ChatLimits>,
): Promise<ChatSetup> {
  const sessions = new SessionStore({ sessionsDir: paths.sessionsDir, clock, logger });
  const profileState = await ProfileStateStore.open(paths.stateDir, {
    clock,
    onWriteFailed: (error) =>
      logger.error(
        `could not save the auth profile state: ${error instanceof Error ? error.message : String(error)}`,
      ),
  });
  const profiles = new AuthProfiles({
    getConfig: currentConfig,
    secrets,
    state: profileState,
    clock,
  });
  const catalog = new ModelCatalog({ clock });
  const chat = new ChatService({
    getConfig: currentConfig,
    profiles,
    catalog,
    sessions,
    clock,
    limits,
  });
  return { chat, sessions, profiles, catalog };
}
