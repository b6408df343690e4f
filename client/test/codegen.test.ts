// The committed operations in src/graphql/ are what schema.graphql generates, and stay sane
// queries for the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { check, schemaPath } from '../scripts/codegen';
import * as mutations from '../src/graphql/mutations';
import * as queries from '../src/graphql/queries';
import * as subscriptions from '../src/graphql/subscriptions';

const schema = readFileSync(schemaPath, 'utf8');

test('src/graphql/ is what schema.graphql generates', async () => {
  const diff = await check(schema);
  assert.equal(diff, '', `stale generated operations: run \`npm run codegen\` in client/ and commit\n${diff}`);
});

test('a schema change without regenerating fails the check', async () => {
  const changed = schema.replace('type Room @aws_api_key @aws_cognito_user_pools {', '$&\n  floor: Int');
  assert.notEqual(changed, schema, 'the Room type is where this test expects it');
  const diff = await check(changed);
  assert.match(diff, /^\+\s+floor$/m, diff);
});

/** The schema's root fields, from its `type Query|Mutation|Subscription { ... }` blocks. */
function rootFields(type: string): string[] {
  const body = schema.match(new RegExp(`^type ${type} \\{\\n([\\s\\S]*?)^\\}`, 'm'))?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]).sort();
}

test('every root field has its operation, named as the field', () => {
  assert.deepEqual(Object.keys(queries).sort(), rootFields('Query'));
  assert.deepEqual(Object.keys(mutations).sort(), rootFields('Mutation'));
  assert.deepEqual(Object.keys(subscriptions).sort(), rootFields('Subscription'));
  assert.ok(rootFields('Query').includes('listEvents'));
});

test("list queries select their items' own fields only (no room { bookings } per item)", () => {
  for (const [name, query] of Object.entries(queries)) {
    if (!name.startsWith('list')) continue;
    assert.doesNotMatch(query, /\b(room|bookings|event)\s*\{/, `${name} nests a resolver per item:\n${query}`);
  }
  // What the seed app reads from each event, booking included.
  for (const field of ['id', 'name', 'room_id', 'event_datetime_start', 'total_tickets', 'tickets_left', 'tickets']) {
    assert.match(queries.listEvents, new RegExp(`^\\s+${field}$`, 'm'));
  }
  // One event may bring its room, but not the room's bookings.
  assert.match(queries.getEvent, /\broom\s*\{/);
  assert.doesNotMatch(queries.getEvent, /\bbookings\b/);
});
