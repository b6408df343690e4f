// Tokens a front end's user could send that AppSync must refuse: one the pool really signed,
// but expired; and forgeries (no signature, another key's, a real signature over changed
// claims). moto signs every pool's tokens with one key pair that ships in the moto package;
// the project's .venv runs that package, so a test can sign exactly as the local pool signs.
import { execFileSync } from 'node:child_process';
import { type KeyObject, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';

import { repoRoot } from './stack';

export type Claims = Record<string, unknown>;

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function claimsOf(jwt: string): Claims {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

function signed(claims: Claims, key: KeyObject): string {
  const head = `${b64url(JSON.stringify({ kid: 'dummy', alg: 'RS256' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${b64url(sign('sha256', Buffer.from(head), key))}`;
}

let motoKey: KeyObject | undefined;

/** `claims` signed as the local pool signs them (RS256 by moto's key, kid `dummy`). */
export function signedByThePool(claims: Claims): string {
  if (!motoKey) {
    // moto's key is a JWK without the CRT parameters Node's importer needs: joserfc (moto's own
    // JOSE library) writes it as PEM.
    const pem = execFileSync(
      join(repoRoot, '.venv', 'bin', 'python'),
      [
        '-c',
        [
          'import gzip, json, os, moto.cognitoidp as c',
          'from joserfc.jwk import RSAKey',
          "raw = gzip.open(os.path.join(os.path.dirname(c.__file__), 'resources', 'jwks-private.json.gz')).read()",
          'print(RSAKey.import_key(json.loads(raw)).as_pem(private=True).decode())',
        ].join('\n'),
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    motoKey = createPrivateKey(pem);
  }
  return signed(claims, motoKey);
}

/** `claims` signed RS256 by a key of the forger's own, under the pool key's id. */
export function signedByAnotherKey(claims: Claims): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signed(claims, privateKey);
}

/** `claims` with `alg: none` and no signature. */
export function unsigned(claims: Claims): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
}

/** A real token's signature over other claims. */
export function withClaims(jwt: string, claims: Claims): string {
  const [header, , signature] = jwt.split('.');
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}
