/**
 * The one page a browser gets when it cannot make a device key (lib/secure-context.ts):
 * why, and the two ways to a secure context. It deliberately has no sign-in form and no
 * retry: there is no weaker way in, and trying again cannot change the address.
 */
import type { ReactElement } from 'react';
import { Screen } from '../components/screen.js';
import type { SecureContextProblem } from '../lib/secure-context.js';
import { secureContextFixes } from '../lib/secure-context-fixes.js';

export function InsecureContextPage(props: {
  problem: SecureContextProblem;
  location: { href: string; hostname: string; port: string };
}): ReactElement {
  if (props.problem === 'no-webcrypto') {
    return (
      <Screen title="This browser can’t sign in">
        <p>
          It does not provide the cryptography (WebCrypto with Ed25519) that this browser’s device
          key needs, so it cannot sign in to the gateway. Open this page in a current version of
          Chrome, Edge, Firefox or Safari.
        </p>
      </Screen>
    );
  }
  const fixes = secureContextFixes(props.location);
  const address = props.location.href.replace(/#.*$/, '');
  return (
    <Screen title="This address can’t sign in" wide>
      <p>
        <code className="break">{address}</code> is not a secure context: it is plain{' '}
        <code>http://</code> and not this computer’s own <code>localhost</code>. The browser
        therefore withholds the cryptography (WebCrypto) that this browser’s device key needs, and
        without a device key it cannot sign in to the gateway.
      </p>
      <p>Use one of these instead:</p>
      <ol className="fix-list">
        <li>
          <p>
            <strong>Open the gateway’s https:// address</strong> (when the gateway has TLS on, which
            is the default for every address other than loopback):
          </p>
          <p>
            <a className="mono break" href={fixes.httpsUrl}>
              {fixes.httpsUrl}
            </a>
          </p>
          <p className="muted small">
            The browser will ask about the gateway’s own certificate. Compare its SHA-256
            fingerprint with the one <code>special-agent gateway status</code> prints on the
            gateway’s machine before you accept it.
          </p>
        </li>
        <li>
          <p>
            <strong>Or use an SSH tunnel to localhost.</strong> On this computer, run:
          </p>
          <pre className="code-block">{fixes.tunnelCommand}</pre>
          <p>
            then open{' '}
            <a className="mono" href={fixes.tunnelUrl}>
              {fixes.tunnelUrl}
            </a>
            .
          </p>
        </li>
      </ol>
    </Screen>
  );
}
