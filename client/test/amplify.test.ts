// The seed front ends' calls, made with aws-amplify v6 exactly as the apps make them
// (`generateClient()`, `client.graphql({ query: listRooms })`, the generated operations from
// src/graphql/), against a local stack this file starts and stops.
//
// Not covered yet (each marked `todo` below, and TODO(...) where the code changes):
// - sign-in: until the local stack holds a Cognito user pool (issue 11 item 2), a user is
//   "signed in" by handing Amplify a `./dev token` through a token provider (support/amplify.ts);
// - subscriptions: until the stack serves AppSync's real-time protocol (issue 11 item 1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { generateClient } from 'aws-amplify/api';
import { decodeJWT, getCurrentUser } from 'aws-amplify/auth';

import { createActivity, updateEvent } from '../src/graphql/mutations';
import {
  getEvent,
  getUserAggregate,
  listActivities,
  listEvents,
  listMyEvents,
  listRooms,
} from '../src/graphql/queries';
import { LocalSession, configureAmplify } from './support/amplify';
import { type DevStack, startDevStack } from './support/stack';

/** The GraphQL errors Amplify rejected with (it rejects with the whole result). */
function graphqlErrors(e: unknown): { errorType?: string; message: string }[] {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('seed apps through Amplify JS v6 against ./dev up', () => {
  let stack: DevStack;
  const session = new LocalSession();
  const tokens: Record<string, string> = {};
  // As the apps do: one client made when the module loads (it reads Amplify's configuration
  // per call), the default auth mode from the configuration (user pools).
  const client = generateClient();

  before(async () => {
    const started = Date.now();
    stack = await startDevStack();
    process.stderr.write(`local stack ready at ${stack.url} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const name of ['alice', 'bob', 'carol']) tokens[name] = await stack.token(name);
    configureAmplify(stack, session);
  });

  after(async () => {
    // stop() throws if any process of the stack is left.
    await stack?.stop();
  });

  // TODO(cognito, issue 11 item 2): `await signIn({ username, password })` here.
  async function signInAs(name: string): Promise<string> {
    session.signInWithToken(tokens[name]);
    const { userId } = await getCurrentUser();
    return userId;
  }

  test('MUSSEL: the public reads the rooms and events with the API key', async () => {
    session.signOut();
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
    assert.equal(items.length, 15, 'seed 000: 5 days x 3 events');
    for (const e of items) {
      assert.equal(e.__typename, 'Event');
      assert.equal(e.total_tickets, e.tickets_sold + e.tickets_left);
      assert.deepEqual(e.tickets, [], 'the public sees no ticket holders');
    }
  });

  test('MUSSEL: book with updateEvent({ tickets: [...event.tickets, userId] }), then listMyEvents', async () => {
    const userId = await signInAs('alice');
    assert.equal(userId, decodeJWT(tokens.alice).payload.sub, "the user pool's id for alice");
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

    const bobId = await signInAs('bob');
    await client.graphql({
      query: updateEvent,
      variables: { input: { id: event.id, tickets: [...event.tickets, bobId] } },
    });
    const carolId = await signInAs('carol');
    const carolsView = pick(seenByCarol);
    const last = await client.graphql({
      query: updateEvent,
      variables: { input: { id: carolsView.id, tickets: [...carolsView.tickets, carolId] } },
    });
    assert.deepEqual(last.data.updateEvent.tickets, [carolId]);

    session.signOut();
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

  test("calorie tracker: createActivity, then the day's getUserAggregate once the aggregator ran", async () => {
    const userId = await signInAs('alice');
    // TODO(real-time, issue 11 item 1): subscribe to onCreateActivity({ userid: userId }) here
    // and expect the activity within 2 s of the mutation's response.
    const lunch = (
      await client.graphql({
        query: createActivity,
        variables: { input: { category: 'Food', type: 'Lunch', caloriesConsumed: 650 } },
      })
    ).data.createActivity;
    assert.equal(lunch.userid, userId);
    assert.equal(lunch.category, 'Food');
    const run = (
      await client.graphql({
        query: createActivity,
        variables: {
          input: { category: 'Exercise', type: 'Run', caloriesConsumed: 300, creationDateTime: lunch.creationDateTime },
        },
      })
    ).data.createActivity;

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

  test('an expired token is refused with HTTP 401 and no data', async () => {
    session.signInWithToken(expired(tokens.alice));
    const e = await rejection(client.graphql({ query: listMyEvents }));
    const [error] = graphqlErrors(e);
    const status = (error as { originalError?: { $metadata?: { httpStatusCode?: number } } }).originalError?.$metadata
      ?.httpStatusCode;
    assert.equal(status, 401);
    assert.deepEqual((e as { data?: unknown }).data, {});
  });

  // Amplify names the error from the `x-amzn-ErrorType` header AppSync sends with a 401
  // (REFERENCE.md); the local stack sends only the body, so Amplify reports "Unknown error".
  // Once it sends the header: `graphqlErrors(e)[0].message === 'Unauthorized'` above.
  test.todo('an expired token is reported by Amplify as Unauthorized (x-amzn-ErrorType on the 401)');
  test.todo('sign in with Amplify Auth against the local user pool (issue 11 item 2)');
  test.todo('a forged token (alg none, another sub, cognito:groups Admin) is refused (issue 11 item 2)');
  test.todo('onCreateActivity delivers a createActivity within 2 s (issue 11 item 1)');
  test.todo("a subscription to another user's activities is refused (issue 11 item 1)");
});

/** The same token with `exp` a minute ago (its signature no longer matches; refused either way). */
function expired(jwt: string): string {
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.exp = Math.floor(Date.now() / 1000) - 60;
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}
