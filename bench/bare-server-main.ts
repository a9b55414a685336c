// The bare server in a process of its own, like the daemon it is compared
// with (see bare-server.ts). Run by the bench:
//   node --import tsx bench/bare-server-main.ts SOCKET ANSWERS_JSON
// Prints a line when it listens; SIGTERM stops it.

import type { BareAnswers } from './bare-server.js';
import { startBareServer } from './bare-server.js';

const [socket, answers] = process.argv.slice(2);
if (!socket || !answers) {
  process.stderr.write('usage: bare-server-main.ts SOCKET ANSWERS_JSON\n');
  process.exit(2);
}
const server = await startBareServer(socket, JSON.parse(answers) as BareAnswers);
process.stdout.write(`bare server: listening on ${server.address}\n`);
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
