/**
 * The fixture the chat tests share: a temp folder for the session files, fake providers
 * and chat services made through it, all closed and removed after each test. Call it at
 * the top of a test file (it registers the hooks).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ConfigInput } from '../../shared/config-schema.js';
import { profilesOver } from '../auth-profiles/memory-keychain.test-support.js';
import {
  startFakeProvider,
  type FakeBehaviour,
  type FakeProvider,
} from '../providers/fake-provider.test-support.js';
import { ModelCatalog } from '../providers/model-catalog.js';
import type { Clock } from '../util/clock.js';
import { ChatService, type ChatServiceOptions } from './chat-service.js';
import { SessionStore } from './session-store.js';

/** What a service is built over, besides the config; the rest of the options pass through. */
type ServiceOptions = Partial<Omit<ChatServiceOptions, 'getConfig' | 'profiles' | 'catalog'>> & {
  /** Keychain account → key, e.g. `provider:p` or `provider:p:a`. */
  keys?: Record<string, string>;
  clock?: Clock;
};

export function useChatWorld(prefix: string) {
  let root = '';
  const servers: FakeProvider[] = [];
  const services: ChatService[] = [];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await rm(root, { recursive: true, force: true });
  });
  return {
    /** Where this test's session files go. */
    sessionsDir: () => join(root, 'sessions'),
    async fake(type: 'openai' | 'anthropic', behaviour: Partial<FakeBehaviour> = {}) {
      const server = await startFakeProvider(type, behaviour);
      servers.push(server);
      return server;
    },
    /** A service over `input` and a memory keychain, as the gateway would build it. */
    service(
      input: ConfigInput,
      { keys = {}, clock = { now: () => Date.now() }, ...options }: ServiceOptions = {},
    ) {
      const world = profilesOver(input, { keys, clock });
      const service = new ChatService({
        getConfig: world.getConfig,
        profiles: world.profiles,
        catalog: new ModelCatalog({ clock }),
        sessions: new SessionStore({ sessionsDir: join(root, 'sessions'), clock }),
        clock,
        ...options,
      });
      services.push(service);
      return { service, world };
    },
  };
}
