// A local stack of our own for a test file: `./dev up` (moto, tables, seed data, the GraphQL
// endpoint, the stream poller) on free ports, driven only through the repository's scripts.
// Every wait is bounded, and stopping it leaves no process behind, whatever the test did.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The API key the local stack accepts (README: "Running locally"). */
export const LOCAL_API_KEY = process.env.LOCAL_API_KEY ?? 'da2-local0000000000000000000000';

// `./dev up` builds the stack's binary first: seconds after `cargo test` built it (as in
// scripts/test), minutes from a cold target directory.
const START_TIMEOUT_MS = Number(process.env.LOCAL_STACK_START_TIMEOUT_S ?? 420) * 1000;
const STOP_TIMEOUT_MS = 20_000;
const LOG_LIMIT = 64 * 1024;

export interface DevStack {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4123/graphql. */
  readonly url: string;
  readonly apiKey: string;
  /** The stack's own output so far (the last 64 KiB), for failure messages. */
  log(): string;
  /** A user-pool token for NAME from `./dev token NAME [GROUP...]`. */
  token(name: string, ...groups: string[]): Promise<string>;
  /** Stops the stack and everything it started; resolves once no process of it is left. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `p` at most `ms`; the timer does not outlive the wait. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Whether any process is left in the process group `pgid`. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startDevStack(): Promise<DevStack> {
  const graphqlPort = await freePort();
  let motoPort = await freePort();
  while (motoPort === graphqlPort) motoPort = await freePort();
  const url = `http://127.0.0.1:${graphqlPort}/graphql`;

  // Its own process group: `./dev up` and moto, cargo and the stack binary it starts can then
  // be found, and killed as a last resort, by the group's id.
  const child: ChildProcess = spawn(resolve(repoRoot, 'dev'), ['up'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GRAPHQL_PORT: String(graphqlPort),
      MOTO_PORT: String(motoPort),
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
    },
  });
  const pgid = child.pid!;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      r();
    }),
  );

  // If this test process ends without stop() (a crash, Ctrl-C), the stack goes with it.
  const killGroup = () => {
    if (groupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killGroup);
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!exit) {
        // The script's own Ctrl-C path: it stops the stack, then moto.
        child.kill('SIGTERM');
        await within(exited, STOP_TIMEOUT_MS);
      }
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(pgid)) {
        killGroup();
        const killDeadline = Date.now() + 5_000;
        while (groupAlive(pgid) && Date.now() < killDeadline) await sleep(50);
      }
      process.removeListener('exit', killGroup);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      if (groupAlive(pgid)) throw new Error(`the local stack's processes (group ${pgid}) did not stop`);
    })());

  const stack: DevStack = {
    url,
    apiKey: LOCAL_API_KEY,
    log: () => output,
    async token(name, ...groups) {
      // TODO(cognito, issue 11 item 2): a real user-pool token; the test then signs in with
      // Amplify Auth instead of handing Amplify this one.
      const { stdout } = await promisify(execFile)(resolve(repoRoot, 'dev'), ['token', name, ...groups], {
        cwd: repoRoot,
        timeout: 120_000,
      });
      const token = stdout.trim().split('\n').pop() ?? '';
      if (token.split('.').length !== 3) throw new Error(`./dev token ${name} printed no JWT: ${stdout}`);
      return token;
    },
    stop,
  };

  // Ready once the seeded rooms can be read with the API key.
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) {
      await stop();
      throw new Error(`./dev up exited (${JSON.stringify(exit)}) before it served ${url}:\n${output}`);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': LOCAL_API_KEY },
        body: JSON.stringify({ query: '{ listRooms { items { id } } }' }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) return stack;
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`the local stack did not answer at ${url} within ${START_TIMEOUT_MS / 1000} s (${last}):\n${output}`);
}
