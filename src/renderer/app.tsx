/** The Control UI shell: picks the screen for the connection phase, then nav + pages. */
import type { ReactElement } from 'react';
import { lazy, Suspense, useEffect } from 'react';
import { ConnectionBanner } from './components/connection-banner.js';
import type { IconName } from './components/icons.js';
import { Icon, Logo } from './components/icons.js';
import { LiveRegion } from './components/live-region.js';
import { Loading } from './components/ui.js';
import type { QueryState } from './hooks/connection-context.js';
import { useConnectionState, useGatewayQuery } from './hooks/connection-context.js';
import { useLiveNotices } from './hooks/use-live-notices.js';
import { useRoute } from './hooks/use-route.js';
import type { PairList } from './lib/api-types.js';
import type { PageId } from './lib/route.js';
import { routeHref } from './lib/route.js';
import {
  ConnectingScreen,
  InviteUsedScreen,
  LoginPage,
  PairingScreen,
} from './pages/login-page.js';

// Every page loads on its first visit, not at startup: Chat carries react-markdown and its
// parser, the settings pages the config schema's validators (scripts/ui-size.js budget).
const ChatPage = lazy(() => import('./pages/chat-page.js'));
const DevicesPage = lazy(() =>
  import('./pages/devices-page.js').then((module) => ({ default: module.DevicesPage })),
);
const ProvidersPage = lazy(() =>
  import('./pages/providers-page.js').then((module) => ({ default: module.ProvidersPage })),
);
const AgentsPage = lazy(() =>
  import('./pages/agents-page.js').then((module) => ({ default: module.AgentsPage })),
);
const GatewayPage = lazy(() =>
  import('./pages/gateway-page.js').then((module) => ({ default: module.GatewayPage })),
);

const NAV: { page: PageId; label: string; icon: IconName }[] = [
  { page: 'chat', label: 'Chat', icon: 'chat' },
  { page: 'devices', label: 'Devices', icon: 'devices' },
  { page: 'providers', label: 'Providers', icon: 'providers' },
  { page: 'agents', label: 'Agents', icon: 'agents' },
  { page: 'gateway', label: 'Gateway', icon: 'gateway' },
];

const APP_TITLE = 'special-agent';
// device.paired: an invite pairs a device with no request, so no `resolved` either.
const PAIRING_EVENTS = ['device.pair.requested', 'device.pair.resolved', 'device.paired'];

/** The screen for the phase, and the live region that outlives every screen change. */
export function App(): ReactElement {
  useLiveNotices();
  return (
    <>
      <PhaseScreen />
      <LiveRegion />
    </>
  );
}

function PhaseScreen(): ReactElement {
  const state = useConnectionState();
  if (state.phase === 'login') return <LoginPage />;
  if (state.phase === 'pairing') return <PairingScreen />;
  if (state.phase === 'invite-used') return <InviteUsedScreen />;
  if (!state.hello) return <ConnectingScreen />;
  return <Shell />;
}

function Shell(): ReactElement {
  const route = useRoute();
  const state = useConnectionState();
  const pairing = useGatewayQuery<PairList>(
    'device.pair.list',
    undefined,
    PAIRING_EVENTS,
    'operator.pairing',
  );
  const pendingCount = pairing.data?.pending.length ?? 0;

  useEffect(() => {
    document.title = pendingCount > 0 ? `(${pendingCount}) ${APP_TITLE}` : APP_TITLE;
  }, [pendingCount]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <Logo />
          <span>special-agent</span>
        </div>
        <ul className="nav-list">
          {NAV.map((item) => (
            <li key={item.page}>
              <a
                href={routeHref(item.page)}
                className="nav-item"
                aria-current={route.page === item.page ? 'page' : undefined}
              >
                <Icon name={item.icon} />
                <span className="nav-label">{item.label}</span>
                {item.page === 'devices' && pendingCount > 0 ? (
                  <span className="badge" aria-label={`${pendingCount} pending`}>
                    {pendingCount}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <span
            className={`status-dot ${state.phase === 'connected' ? 'status-on' : 'status-off'}`}
            aria-hidden="true"
          />
          <span className="small">
            {state.phase === 'connected' ? 'Connected' : 'Offline'} ·{' '}
            {state.hello?.snapshot.authMode ?? '…'}
          </span>
          <span className="small muted version">v{state.hello?.server.version}</span>
        </div>
      </nav>
      <div className="main-column">
        <ConnectionBanner />
        <main className="main" id="main" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            <PageView page={route.page} params={route.params} pairing={pairing} />
          </Suspense>
        </main>
      </div>
    </div>
  );
}

function PageView(props: {
  page: PageId;
  params: URLSearchParams;
  pairing: QueryState<PairList>;
}): ReactElement {
  switch (props.page) {
    case 'devices':
      return (
        <DevicesPage pairing={props.pairing} highlight={props.params.get('request') ?? undefined} />
      );
    case 'providers':
      return (
        <ProvidersPage
          edit={props.params.get('edit') ?? undefined}
          adding={props.params.has('add')}
        />
      );
    case 'agents':
      return <AgentsPage />;
    case 'gateway':
      return <GatewayPage />;
    case 'chat':
      return <ChatPage />;
  }
}
