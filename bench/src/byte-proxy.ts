// Child process: a TCP proxy on 127.0.0.1 that counts the bytes each way (client -> server,
// server -> client), so the agent's traffic is measured on its socket, outside its own process.
import net from 'node:net';
import { serve } from './ipc.js';

let up = 0;
let down = 0;
let server: net.Server | null = null;

serve({
  /** Listens on a free port and forwards to `target` (host:port); returns the port. */
  listen: async (p: { host: string; port: number }) => {
    server = net.createServer((client) => {
      const upstream = net.connect(p.port, p.host);
      client.on('data', (b) => { up += b.length; });
      upstream.on('data', (b) => { down += b.length; });
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  },
  /** Bytes so far: `up` client -> server, `down` server -> client. */
  bytes: () => ({ up, down }),
  stop: () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
});
