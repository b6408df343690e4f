// The GraphQL documents and TypeScript types a front end imports, generated from the API's
// schema by Amplify's own generator (what `ampx generate graphql-client-code` and
// `amplify codegen` run), so an app gets exactly what it would get against the deployed API.
//
//   npm run codegen              regenerate src/graphql/ from ../schema.graphql
//   npm run codegen -- --check   regenerate into a temporary directory and diff it against
//                                src/graphql/ (exit 1 if the committed files are stale)
//   npm run codegen -- --out DIR [--schema FILE]
//
// The generator declares AppSync's scalars (AWSDateTime, ...) and `@aws_*` directives itself,
// as AppSync does, so schema.graphql is read as it is.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { generateStatements, generateTypes } from '@aws-amplify/graphql-generator';

const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const committedDir = join(clientDir, 'src', 'graphql');
export const schemaPath = join(clientDir, '..', 'schema.graphql');

// Amplify's default depth (2): `listEvents` selects each event's own fields, as the seed apps'
// generated query did, and no nested `room { bookings }` (a Room.bookings query per event on
// top of the page). Apps that want the room ask for it (getEvent selects it, one batched call).
const MAX_DEPTH = 2;

const HEADER = '// Generated from schema.graphql by client/scripts/codegen.ts (npm run codegen). Do not edit.\n';

/** Every generated file, by name, for the schema text given. */
export async function generate(schema: string): Promise<Record<string, string>> {
  const statements = generateStatements({
    schema,
    target: 'typescript',
    maxDepth: MAX_DEPTH,
    relativeTypesPath: './API',
  });
  // The types are derived from the same operations, as plain GraphQL documents.
  const documents = generateStatements({ schema, target: 'graphql', maxDepth: MAX_DEPTH });
  const types = await generateTypes({
    schema,
    target: 'typescript',
    queries: Object.values(documents).join('\n'),
    amplifyJsLibraryVersion: 6,
  });
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries({ ...statements, ...types })) {
    files[name] = HEADER + text;
  }
  return files;
}

export function write(files: Record<string, string>, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
}

/** `diff -ru` of two directories: empty when they hold the same files with the same text. */
export function diffDirs(committed: string, fresh: string): string {
  try {
    execFileSync('diff', ['-ru', committed, fresh], { encoding: 'utf8' });
    return '';
  } catch (e) {
    const err = e as { status?: number; stdout?: string };
    if (err.status === 1 && err.stdout) return err.stdout;
    throw e;
  }
}

/** Regenerates into a temporary directory; the diff against `committed` ('' when current). */
export async function check(schema: string, committed = committedDir): Promise<string> {
  const fresh = mkdtempSync(join(tmpdir(), 'codegen-'));
  try {
    write(await generate(schema), fresh);
    return diffDirs(committed, fresh);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      out: { type: 'string', default: committedDir },
      schema: { type: 'string', default: schemaPath },
    },
  });
  const schema = readFileSync(values.schema!, 'utf8');
  if (values.check) {
    const diff = await check(schema, values.out);
    if (diff) {
      process.stderr.write(
        `${diff}\ncodegen: ${values.out} is not what ${values.schema} generates; ` +
          'run `npm run codegen` in client/ and commit the result\n',
      );
      return 1;
    }
    console.log(`codegen: ${values.out} matches ${values.schema}`);
    return 0;
  }
  const files = await generate(schema);
  mkdirSync(values.out!, { recursive: true });
  // A file the generator no longer makes must not linger.
  for (const name of readdirSync(values.out!, { withFileTypes: true })) {
    if (name.isFile() && !(name.name in files)) rmSync(join(values.out!, name.name));
  }
  write(files, values.out!);
  console.log(`codegen: wrote ${Object.keys(files).sort().join(', ')} to ${values.out}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
