/**
 * The baseline: a bare `ws` server with the gateway's transport setup (node:http server,
 * `WebSocketServer({ noServer: true })` fed from the `upgrade` event, no
 * permessage-deflate, no client tracking) that does nothing but echo text frames.
 * On `/verify` it also does one Ed25519 verify per connection, as the gateway does its
 * device proof (bench/lib/handshake-limit.js). Started by bench/run.js with `fork`, on
 * 127.0.0.1 and a free port.
 */
import { createServer } from 'node:http';
import { verifyOnePerConnection } from './lib/handshake-limit-verify.js';
import { WebSocketServer } from 'ws';
import { announceReady, serveControl } from './lib/control.js';

const MAX_PAYLOAD = 1024 * 1024;

const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  noServer: true,
  maxPayload: MAX_PAYLOAD,
  perMessageDeflate: false,
  clientTracking: false,
});
const sockets = new Set();
http.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (req.url === '/verify') verifyOnePerConnection(ws);
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});

serveControl({
  onStop: () =>
    new Promise((resolve) => {
      for (const ws of sockets) ws.terminate();
      http.close(() => resolve());
      http.closeAllConnections();
    }),
});
http.listen({ host: '127.0.0.1', port: 0 }, () => {
  announceReady({ port: http.address().port });
});
