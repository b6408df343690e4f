// The seed front ends' calls, made with aws-amplify v6 exactly as the apps make them
// (`Amplify.configure`, Amplify Auth's `signIn`, `generateClient()`, `client.graphql(...)` with
// the generated operations from src/graphql/, subscriptions over wss://), against a local stack
// this file starts and stops (`./dev up` on free ports).
//
// Run it through `npm test`: Node must trust the stack's CA from its start
// (NODE_EXTRA_CA_CERTS, from `./dev ca`) and, on Node 20, be given a global WebSocket
// (`--experimental-websocket`), as a browser has one.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { ConnectionState, generateClient } from 'aws-amplify/api';
import { fetchAuthSession, fetchUserAttributes, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';

import { createActivity, createRoom, updateEvent } from '../src/graphql/mutations';
import {
  getEvent,
  getUserAggregate,
  listActivities,
  listEvents,
  listMyEvents,
  listRooms,
} from '../src/graphql/queries';
import { onCreateActivity } from '../src/graphql/subscriptions';
import { configureAmplify, signInAs, storage } from './support/amplify';
import { ConnectionStates, Watched } from './support/realtime';
import { type DevStack, LOCAL_PASSWORD, repoRoot, startDevStack } from './support/stack';
import { claimsOf, signedByAnotherKey, signedByThePool, unsigned, withClaims } from './support/tokens';

/** The GraphQL errors Amplify rejected with (it rejects with the whole result). */
function graphqlErrors(e: unknown): { errorType?: string; message: string; originalError?: unknown }[] {
  const errors = (e as { errors?: unknown }).errors;
  assert.ok(Array.isArray(errors), `expected a GraphQL error result, got ${String(e)}`);
  return errors as { errorType?: string; message: string }[];
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('the call was expected to fail');
}

/**
 * What an app sees when AppSync refuses a request's credentials: HTTP 401 with
 * `x-amzn-ErrorType: UnauthorizedException`, which Amplify turns into an error named
 * `UnauthorizedException` and reports as "Unauthorized" (not "Unknown error"), and no data.
 */
function assertUnauthorized(e: unknown, what: string): void {
  const errors = graphqlErrors(e);
  assert.equal(errors.length, 1, what);
  const [error] = errors;
  const original = error.originalError as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  assert.equal(error.message, 'Unauthorized', what);
  assert.equal(original?.name, 'UnauthorizedException', what);
  assert.equal(original?.$metadata?.httpStatusCode, 401, what);
  assert.deepEqual((e as { data?: unknown }).data, {}, what);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ISSUER_PREFIX = 'https://cognito-idp.us-east-1.amazonaws.com/';

describe('seed apps through Amplify JS v6 against ./dev up', () => {
  let stack: DevStack;
  /** Each user's id in the pool (`sub`), from the token `./dev token` printed when creating it. */
  const subs: Record<string, string> = {};
  const watched: Watched<unknown>[] = [];
  let states: ConnectionStates;
  // As the apps do: one client made when the module loads (it reads Amplify's configuration
  // per call), the default auth mode from the configuration (user pools).
  const client = generateClient();

  /** Subscribes as the app does, and keeps the subscription to close it whatever happens. */
  function subscribeToActivities(userid: string) {
    const variables = { userid };
    const w = new Watched(client.graphql({ query: onCreateActivity, variables }), onCreateActivity, variables);
    watched.push(w as Watched<unknown>);
    return w;
  }

  /**
   * Unsubscribes what a test subscribed and waits (bounded) until Amplify has closed its
   * socket, which it does a second after its last subscription goes: the next test starts
   * with no connection, as an app does after a restart.
   */
  async function unsubscribeAll() {
    for (const w of watched.splice(0)) w.close();
    const open: string[] = [
      ConnectionState.Connected,
      ConnectionState.ConnectedPendingKeepAlive,
      ConnectionState.ConnectedPendingNetwork,
      ConnectionState.ConnectedPendingDisconnect,
      ConnectionState.Connecting,
    ];
    const from = states.states.length - 1;
    if (from >= 0 && open.includes(states.states[from])) {
      assert.ok(await states.reach(ConnectionState.Disconnected, from, 5_000), states.states.join(' > '));
    }
  }

  before(async () => {
    states = new ConnectionStates();
    assert.equal(
      typeof WebSocket,
      'function',
      'Amplify subscribes through a global WebSocket: run `npm test` (node --experimental-websocket on Node 20)',
    );
    assert.equal(
      process.env.NODE_EXTRA_CA_CERTS,
      `${repoRoot}/.local/tls/ca.pem`,
      'Node trusts the local CA only if NODE_EXTRA_CA_CERTS names it when Node starts: run `npm test` (it sets it from ./dev ca)',
    );
    const started = Date.now();
    stack = await startDevStack();
    process.stderr.write(`local stack ready at ${stack.graphqlUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    assert.equal(stack.caFile, process.env.NODE_EXTRA_CA_CERTS, "the stack's CA is the one Node trusts");
    for (const name of ['alice', 'bob', 'carol']) subs[name] = claimsOf(await stack.createUser(name)).sub as string;
    configureAmplify(stack);
  });

  afterEach(unsubscribeAll);

  after(async () => {
    for (const w of watched) w.close();
    states?.close();
    await signOut().catch(() => undefined);
    // stop() throws if any process of the stack is left.
    await stack?.stop();
  });

  test('Amplify Auth signs in with SRP against the local user pool, and signs out', async () => {
    await signOut();
    const result = await signIn({ username: 'alice', password: LOCAL_PASSWORD });
    assert.deepEqual(result, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });

    const user = await getCurrentUser();
    assert.equal(user.userId, subs.alice, "the pool's id for alice");
    assert.deepEqual(user.signInDetails, { loginId: 'alice', authFlowType: 'USER_SRP_AUTH' });

    const { tokens } = await fetchAuthSession();
    assert.ok(tokens?.idToken);
    const access = tokens.accessToken.payload;
    assert.equal(access.token_use, 'access');
    assert.equal(access.iss, ISSUER_PREFIX + stack.userPoolId);
    assert.equal(access.client_id, stack.userPoolClientId, 'issued to the web client');
    assert.equal(access.sub, subs.alice);
    const id = tokens.idToken.payload;
    assert.equal(id.token_use, 'id');
    assert.equal(id.aud, stack.userPoolClientId);
    // Named as Cognito names the user of a pool without username attributes (moto alone would
    // name it by its sub: scripts/moto_server.py).
    assert.equal(id['cognito:username'], 'alice');
    assert.equal(access.username, 'alice');
    // The user's attributes, as an app reads them (GetUser with the access token).
    assert.equal((await fetchUserAttributes()).email, 'alice@example.com');
    // Kept where a browser app keeps them (localStorage).
    assert.equal(storage.items.get(storage.keyOf('accessToken')), tokens.accessToken.toString());

    // Signed in: the user's own data, with the default mode (user pools).
    const mine = await client.graphql({ query: listMyEvents });
    assert.ok(Array.isArray(mine.data.listMyEvents.items));

    // What Amplify does when the access token nears its end (an hour): new tokens from the
    // refresh token (REFRESH_TOKEN_AUTH), for the same user, accepted.
    const refreshed = (await fetchAuthSession({ forceRefresh: true })).tokens;
    assert.ok(refreshed);
    assert.notEqual(refreshed.accessToken.toString(), tokens.accessToken.toString(), 'a new access token');
    assert.equal(refreshed.accessToken.payload.sub, subs.alice);
    assert.equal(refreshed.accessToken.payload.username, 'alice');
    assert.equal(storage.items.get(storage.keyOf('accessToken')), refreshed.accessToken.toString());
    const again = await client.graphql({ query: listMyEvents });
    assert.deepEqual(again.data.listMyEvents.items, mine.data.listMyEvents.items);

    await signOut();
    assert.equal((await rejection(getCurrentUser()) as Error).name, 'UserUnAuthenticatedException');
    assert.deepEqual(
      [...storage.items.keys()].filter((k) => /\.(accessToken|idToken|refreshToken)$/.test(k)),
      [],
      'signing out forgets the tokens',
    );
    // Signed out, a user-pool call fails in the app itself, before any request: Amplify has no
    // token to send.
    const e = (await rejection(client.graphql({ query: listMyEvents }))) as Error;
    assert.equal(e.name, 'NoValidAuthTokens', String(e));
  });

  test('MUSSEL: the public reads the rooms and events with the API key', async () => {
    await signOut();
    const rooms = await client.graphql({ query: listRooms, authMode: 'apiKey' });
    assert.deepEqual(
      rooms.data.listRooms.items.map((r) => [r.id, r.name, r.capacity]),
      [
        ['1', 'Lecture Hall 1', 100],
        ['2', "Student's Union Common Room", 50],
        ['3', 'Sports Arena', 200],
      ],
    );
    const events = await client.graphql({ query: listEvents, authMode: 'apiKey' });
    const items = events.data.listEvents.items;
    assert.equal(items.length, 15, 'the sample data: 5 days x 3 events');
    for (const e of items) {
      assert.equal(e.__typename, 'Event');
      assert.equal(e.total_tickets, e.tickets_sold + e.tickets_left);
      assert.deepEqual(e.tickets, [], 'the public sees no ticket holders');
    }
  });

  test('MUSSEL: book with updateEvent({ tickets: [...event.tickets, userId] }), then listMyEvents', async () => {
    await signInAs('alice');
    const { userId } = await getCurrentUser();
    assert.equal(userId, subs.alice);
    const events = (await client.graphql({ query: listEvents })).data.listEvents.items;
    const now = Date.now();
    const event = events.find((e) => Date.parse(e.event_datetime_start) > now && e.tickets_left > 0);
    assert.ok(event, 'the seed has upcoming events');
    assert.deepEqual(event.tickets, []);

    const input = { id: event.id, tickets: [...event.tickets, userId] };
    const booked = (await client.graphql({ query: updateEvent, variables: { input } })).data.updateEvent;
    assert.equal(booked.id, event.id);
    assert.deepEqual(booked.tickets, [userId], 'a user sees their own ticket');
    assert.equal(booked.tickets_sold, event.tickets_sold + 1);
    assert.equal(booked.tickets_left, event.tickets_left - 1);

    const mine = (await client.graphql({ query: listMyEvents })).data.listMyEvents.items;
    assert.deepEqual(
      mine.map((e) => e.id),
      [event.id],
    );
    assert.deepEqual(mine[0].tickets, [userId]);
  });

  test('MUSSEL: two users booking from the same stale list both keep their tickets', async () => {
    // The seed app's read-modify-write of the whole list lost one of these two bookings.
    await signInAs('bob');
    const seenByBob = (await client.graphql({ query: listEvents })).data.listEvents.items;
    await signInAs('carol');
    const seenByCarol = (await client.graphql({ query: listEvents })).data.listEvents.items;
    const now = Date.now();
    const pick = (list: typeof seenByBob) =>
      list.filter((e) => Date.parse(e.event_datetime_start) > now && e.tickets_left > 1).at(-1)!;
    const event = pick(seenByBob);
    assert.ok(event);
    assert.equal(pick(seenByCarol).id, event.id);

    await signInAs('bob');
    await client.graphql({
      query: updateEvent,
      variables: { input: { id: event.id, tickets: [...event.tickets, subs.bob] } },
    });
    await signInAs('carol');
    const carolsView = pick(seenByCarol);
    const last = await client.graphql({
      query: updateEvent,
      variables: { input: { id: carolsView.id, tickets: [...carolsView.tickets, subs.carol] } },
    });
    assert.deepEqual(last.data.updateEvent.tickets, [subs.carol]);

    await signOut();
    const after = (await client.graphql({ query: getEvent, variables: { id: event.id }, authMode: 'apiKey' }))
      .data.getEvent;
    assert.ok(after);
    assert.equal(after.tickets_sold, event.tickets_sold + 2);
    assert.equal(after.tickets_left, event.tickets_left - 2);
    assert.equal(after.room?.id, event.room_id, 'getEvent selects the room (one batched call)');
  });

  test("errors reach the app with AppSync's errorType and a message", async () => {
    await signInAs('alice');
    const missing = graphqlErrors(
      await rejection(client.graphql({ query: updateEvent, variables: { input: { id: 'no-such-event', tickets: [] } } })),
    );
    assert.equal(missing[0].errorType, 'NotFound');
    assert.match(missing[0].message, /no-such-event/);

    const badCategory = graphqlErrors(
      await rejection(
        client.graphql({
          query: createActivity,
          variables: { input: { category: 'Sleep', type: 'Nap', caloriesConsumed: 10 } },
        }),
      ),
    );
    assert.equal(badCategory[0].errorType, 'ValidationError');
    assert.match(badCategory[0].message, /allowed/);
  });

  test("calorie tracker: onCreateActivity delivers each createActivity within 2 s, then the day's aggregate", async () => {
    await signInAs('alice');
    const { userId } = await getCurrentUser();
    const mine = subscribeToActivities(userId);
    await mine.expect('ack', 15_000);

    const lunch = (
      await client.graphql({
        query: createActivity,
        variables: { input: { category: 'Food', type: 'Lunch', caloriesConsumed: 650 } },
      })
    ).data.createActivity;
    assert.equal(lunch.userid, userId);
    assert.equal(lunch.category, 'Food');
    // Bounded at 2 s from the mutation's answer.
    assert.deepEqual((await mine.expect('data', 2_000)).data, { onCreateActivity: lunch });

    const run = (
      await client.graphql({
        query: createActivity,
        variables: {
          input: { category: 'Exercise', type: 'Run', caloriesConsumed: 300, creationDateTime: lunch.creationDateTime },
        },
      })
    ).data.createActivity;
    assert.deepEqual((await mine.expect('data', 2_000)).data, { onCreateActivity: run });
    mine.close();

    const listed = (await client.graphql({ query: listActivities })).data.listActivities.items;
    assert.deepEqual(listed.map((a) => a.id).sort(), [lunch.id, run.id].sort());

    // The aggregate is written from the activity table's stream: poll, bounded.
    const date = lunch.creationDateTime.slice(0, 10);
    const deadline = Date.now() + 30_000;
    let aggregate;
    do {
      aggregate = (await client.graphql({ query: getUserAggregate, variables: { date } })).data.getUserAggregate;
      if (aggregate.caloriesConsumed === 650 && aggregate.caloriesBurned === 300) break;
      await sleep(200);
    } while (Date.now() < deadline);
    assert.deepEqual(
      { userid: aggregate.userid, date: aggregate.date, consumed: aggregate.caloriesConsumed, burned: aggregate.caloriesBurned },
      { userid: userId, date, consumed: 650, burned: 300 },
      `the aggregate within 30 s\n${stack.log()}`,
    );

    // Another user may not read it, whatever the arguments say.
    await signInAs('bob');
    const denied = graphqlErrors(
      await rejection(client.graphql({ query: getUserAggregate, variables: { date, userid: userId } })),
    );
    assert.equal(denied[0].errorType, 'Unauthorized');
  });

  test("a subscription to another user's activities is refused; Amplify drops the socket and resubscribes the rest", async () => {
    await signInAs('carol');
    const mine = subscribeToActivities(subs.carol);
    await mine.expect('ack', 15_000);
    const before = states.states.length;

    const theirs = subscribeToActivities(subs.alice);
    const refusal = graphqlErrors((await theirs.expect('error', 15_000)).error);
    // Amplify's report: "Connection failed: " and the `error` message AppSync sent for that
    // subscription, the resolver's refusal.
    assert.equal(refusal.length, 1);
    const prefix = 'Connection failed: ';
    assert.ok(refusal[0].message.startsWith(prefix), refusal[0].message);
    const sent = JSON.parse(refusal[0].message.slice(prefix.length)) as {
      errors: { errorType: string; message: string; path: string[] }[];
    };
    assert.equal(sent.errors.length, 1);
    assert.equal(sent.errors[0].errorType, 'Unauthorized');
    assert.deepEqual(sent.errors[0].path, ['onCreateActivity']);
    assert.match(sent.errors[0].message, /own/);

    // Amplify takes an Unauthorized refusal for an expired session: it closes the whole
    // socket (the user's other subscriptions with it) to reconnect with fresh tokens.
    assert.ok(await states.reach(ConnectionState.ConnectionDisrupted, before, 5_000), states.states.join(' > '));
    const drink = async (type: string, caloriesConsumed: number) =>
      (await client.graphql({ query: createActivity, variables: { input: { category: 'Drink', type, caloriesConsumed } } }))
        .data.createActivity;
    const meanwhile = await drink('Tea', 5);

    // About 5 s later (Amplify's reconnect delay) the subscriptions left start again; the
    // refused one is not retried.
    await mine.expect('ack', 15_000);
    assert.ok(await states.reach(ConnectionState.Connected, before, 1_000), states.states.join(' > '));
    const later = await drink('Juice', 90);
    // What was created while the socket was down is lost, as on AppSync (no replay).
    const next = await mine.expect('data', 2_000);
    assert.deepEqual(next.data, { onCreateActivity: later }, `${meanwhile.id} (created while down) is not delivered`);
    assert.equal(await theirs.next(0), undefined, 'nothing more for the refused subscription');
  });

  test('an expired token, signed by the pool, is refused and Amplify reports it Unauthorized', async () => {
    await signInAs('alice');
    const { tokens } = await fetchAuthSession();
    const claims = { ...tokens!.accessToken.payload };
    const now = Math.floor(Date.now() / 1000);
    // The same claims and key, valid for ten more minutes: accepted (so only `exp` differs).
    const valid = signedByThePool({ ...claims, iat: now - 60, exp: now + 600 });
    const ok = await client.graphql({ query: listMyEvents, authToken: valid });
    assert.ok(Array.isArray(ok.data.listMyEvents.items));

    const expired = signedByThePool({ ...claims, iat: now - 3_660, exp: now - 60 });
    assertUnauthorized(await rejection(client.graphql({ query: listMyEvents, authToken: expired })), 'expired');
  });

  test('forged tokens are refused, nothing is written, and Amplify reports them Unauthorized', async () => {
    await signInAs('alice');
    const { tokens } = await fetchAuthSession();
    const real = tokens!.accessToken.toString();
    const claims = { ...tokens!.accessToken.payload };
    const admin = { ...claims, 'cognito:groups': ['Admin'] };
    const forgeries: Record<string, string> = {
      'alg none, another user, Admin': unsigned({ ...admin, sub: subs.bob, username: 'bob' }),
      'a real signature over claims with Admin added': withClaims(real, admin),
      "signed by another key under the pool key's id": signedByAnotherKey(admin),
      "the pool's key, another pool as issuer": signedByThePool({ ...admin, iss: `${ISSUER_PREFIX}us-east-1_Other` }),
    };
    for (const [what, token] of Object.entries(forgeries)) {
      const e = await rejection(
        client.graphql({ query: createRoom, variables: { input: { name: `Forged ${what}`, capacity: 10 } }, authToken: token }),
      );
      assertUnauthorized(e, what);
    }
    // Public lists may be up to READ_CACHE_TTL_MS (1 s, template.yaml) old: wait it out, so
    // the list below is read after the forgeries.
    await new Promise((done) => setTimeout(done, 1_100));
    const rooms = (await client.graphql({ query: listRooms, authMode: 'apiKey' })).data.listRooms.items;
    assert.deepEqual(
      rooms.filter((r) => r.name.startsWith('Forged')),
      [],
      'no forged createRoom wrote anything',
    );
  });

  test("a forged token in the app's own storage: its calls and its subscriptions are refused as unauthorized", async () => {
    // A user edits what their browser stores: alg none, Admin. Amplify still believes it is
    // signed in (the token is not expired), and sends the forgery.
    await signInAs('bob');
    const key = storage.keyOf('accessToken');
    const claims = claimsOf(storage.items.get(key)!);
    storage.items.set(key, unsigned({ ...claims, 'cognito:groups': ['Admin'] }));

    assertUnauthorized(await rejection(client.graphql({ query: listMyEvents })), 'the query');

    // The real-time handshake is refused (connection_error 401): Amplify does not retry it
    // and fails the subscription with the error type AppSync sent.
    const sub = subscribeToActivities(subs.bob);
    const [error] = graphqlErrors((await sub.expect('error', 15_000)).error);
    assert.equal(error.message, 'Connection failed: UnauthorizedException');
    await signOut();
  });

  test("an unknown user's sign-in is refused as Cognito refuses it, without saying the user does not exist", async () => {
    await signOut();
    // The web client prevents user existence errors (template.yaml): the same error as a wrong
    // password's, so a sign-in form cannot be used to find out who has an account.
    const e = (await rejection(signIn({ username: 'nobody', password: LOCAL_PASSWORD }))) as Error;
    assert.equal(e.name, 'NotAuthorizedException');
    assert.equal(e.message, 'Incorrect username or password.');
    assert.equal(((await rejection(getCurrentUser())) as Error).name, 'UserUnAuthenticatedException');
  });

  test("a wrong password's sign-in is refused, and the right one still signs in", async () => {
    await signOut();
    // Amplify proves the password with SRP; the local pool checks the proof against the
    // user's password as Cognito does (scripts/moto_server.py), so the same error comes back.
    const e = (await rejection(signIn({ username: 'alice', password: 'Not-the-passw0rd' }))) as Error;
    assert.equal(e.name, 'NotAuthorizedException');
    assert.equal(e.message, 'Incorrect username or password.');
    assert.equal(((await rejection(getCurrentUser())) as Error).name, 'UserUnAuthenticatedException');
    await signInAs('alice');
    assert.equal((await getCurrentUser()).username, 'alice');
    await signOut();
  });
});
