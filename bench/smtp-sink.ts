// A local SMTP sink for the mailing journey, run in its own process (bench/mailing.ts forks it): it accepts
// every letter and discards it, only counting — no parsing, so that the sending rate measured is the app's and
// not a test server's. The parent asks for the count over IPC ('count'); the port is reported once listening.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      received++;
      callback();
    });
    stream.resume(); // read and drop
  },
});
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'count') process.send!({ count: received });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
