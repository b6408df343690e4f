// A local stack of our own for a test file: `./dev up` (DynamoDB Local, tables, seed data, the
// user pool on moto, the GraphQL and real-time endpoint, the stream poller) on free ports,
// driven only through the repository's scripts. What a front end needs to reach it is read
// from the state file the stack writes while it runs. Every wait is bounded, and stopping it leaves no process behind,
// whatever the test did.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The password `./dev token` gives the users it creates (README: "User pool"). */
export const LOCAL_PASSWORD = 'Local-passw0rd-2026';

// `./dev up` builds the stack's binary first: seconds after `cargo test` built it (as in
// scripts/test), minutes from a cold target directory.
const START_TIMEOUT_MS = Number(process.env.LOCAL_STACK_START_TIMEOUT_S ?? 420) * 1000;
const STOP_TIMEOUT_MS = 20_000;
const LOG_LIMIT = 64 * 1024;

/** What the running stack wrote to `.local/stack-<GRAPHQL_PORT>.env` (README: "Running locally"). */
export interface StackState {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4123/graphql. */
  readonly graphqlUrl: string;
  /** Where Amplify opens its real-time connection: wss://127.0.0.1:4123/graphql/realtime. */
  readonly realtimeUrl: string;
  readonly apiKey: string;
  /** The template's user pool, on moto's cognito-idp. */
  readonly userPoolId: string;
  /** The pool's `web` app client (SRP), the one a front end signs in with. */
  readonly userPoolClientId: string;
  /** moto, as Amplify's custom user-pool endpoint. */
  readonly userPoolEndpoint: string;
  /** The local CA that signs the wss:// certificate. */
  readonly caFile: string;
}

export interface DevStack extends StackState {
  /** The stack's own output so far (the last 64 KiB), for failure messages. */
  log(): string;
  /**
   * `GRAPHQL_PORT=<port> ./dev token NAME [GROUP...]`: creates NAME in the pool on first use
   * (password {@link LOCAL_PASSWORD}), makes its groups exactly GROUPs; resolves to the access
   * token it printed.
   */
  createUser(name: string, ...groups: string[]): Promise<string>;
  /** Stops the stack and everything it started; resolves once no process of it is left. */
  stop(): Promise<void>;
}

/** The state file's `export NAME=value` lines; only complete lines (it may be mid-write). */
function readState(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  const vars: Record<string, string> = {};
  for (const line of text.split('\n').slice(0, -1)) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** The state a front end needs, once the file holds all of it for the stack at `url`. */
function stackState(vars: Record<string, string>, url: string): StackState | undefined {
  const state = {
    graphqlUrl: vars.GRAPHQL_URL,
    realtimeUrl: vars.GRAPHQL_REALTIME_URL,
    apiKey: vars.API_KEY,
    userPoolId: vars.USER_POOL_ID,
    userPoolClientId: vars.USER_POOL_CLIENT_ID,
    userPoolEndpoint: vars.USER_POOL_ENDPOINT,
    caFile: vars.TLS_CA_FILE,
  };
  if (state.graphqlUrl !== url || Object.values(state).some((v) => !v)) return undefined;
  return state;
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
  const ports = [graphqlPort];
  const another = async () => {
    let port = await freePort();
    while (ports.includes(port)) port = await freePort();
    ports.push(port);
    return port;
  };
  const dynamodbPort = await another();
  const userPoolPort = await another();
  const url = `http://127.0.0.1:${graphqlPort}/graphql`;
  const statePath = resolve(repoRoot, '.local', `stack-${graphqlPort}.env`);

  // Its own process group: `./dev up` and the engines, cargo and the stack binary it starts can
  // be found, and killed as a last resort, by the group's id.
  const child: ChildProcess = spawn(resolve(repoRoot, 'dev'), ['up'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GRAPHQL_PORT: String(graphqlPort),
      DYNAMODB_PORT: String(dynamodbPort),
      USER_POOL_PORT: String(userPoolPort),
      // Where it writes what a front end needs (its default for this port, whatever the
      // caller's environment says).
      STACK_STATE: statePath,
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
        // The script's own Ctrl-C path: it stops the stack, then the engines.
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
      // The stack removes it on a clean stop; not after a kill.
      rmSync(statePath, { force: true });
    })());

  const createUser = async (name: string, ...groups: string[]) => {
    const { stdout } = await promisify(execFile)(resolve(repoRoot, 'dev'), ['token', name, ...groups], {
      cwd: repoRoot,
      env: { ...process.env, GRAPHQL_PORT: String(graphqlPort), STACK_STATE: statePath },
      timeout: 120_000,
    });
    const token = stdout.trim().split('\n').pop() ?? '';
    if (token.split('.').length !== 3) throw new Error(`./dev token ${name} printed no JWT: ${stdout}`);
    return token;
  };

  // Ready once the seeded rooms can be read with the API key and the state file names the
  // user pool.
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) {
      await stop();
      throw new Error(`./dev up exited (${JSON.stringify(exit)}) before it served ${url}:\n${output}`);
    }
    try {
      const state = stackState(readState(statePath), url);
      if (!state) throw new Error(`${statePath} does not name the stack's user pool yet`);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': state.apiKey },
        body: JSON.stringify({ query: '{ listRooms { items { id } } }' }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) return { ...state, log: () => output, createUser, stop };
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`the local stack did not answer at ${url} within ${START_TIMEOUT_MS / 1000} s (${last}):\n${output}`);
}
