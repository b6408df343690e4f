// Amplify JS v6 pointed at a local stack the way a seed app configures it: Cognito user pools
// (the stack's pool on moto, through Amplify's custom `userPoolEndpoint`) as the default mode,
// the API key for the public reads. Users sign in with Amplify Auth's own `signIn` (SRP).
import { Amplify } from 'aws-amplify';
import { signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import type { KeyValueStorageInterface } from 'aws-amplify/utils';

import { LOCAL_PASSWORD, type StackState } from './stack';

/**
 * Where Amplify keeps the signed-in user's tokens: what `localStorage` is in a browser (Node
 * has none; Amplify's default there keeps them in memory as this does). Tests read it, and
 * edit it as a user can edit their own browser's storage.
 */
export class BrowserLikeStorage implements KeyValueStorageInterface {
  readonly items = new Map<string, string>();

  async setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
  }

  async getItem(key: string): Promise<string | null> {
    return this.items.get(key) ?? null;
  }

  async removeItem(key: string): Promise<void> {
    this.items.delete(key);
  }

  async clear(): Promise<void> {
    this.items.clear();
  }

  /** The key of the signed-in user's stored token of this kind (`accessToken`, `clockDrift`, ...). */
  keyOf(kind: string): string {
    const keys = [...this.items.keys()].filter((k) => k.startsWith('CognitoIdentityServiceProvider.') && k.endsWith(`.${kind}`));
    if (keys.length !== 1) throw new Error(`expected one stored ${kind}, found ${JSON.stringify(keys)}`);
    return keys[0];
  }
}

export const storage = new BrowserLikeStorage();

/** The configuration the README gives front ends, with the running stack's values. */
export function amplifyConfig(stack: StackState) {
  return {
    Auth: {
      Cognito: {
        userPoolId: stack.userPoolId,
        userPoolClientId: stack.userPoolClientId,
        userPoolEndpoint: stack.userPoolEndpoint,
      },
    },
    API: {
      GraphQL: {
        endpoint: stack.graphqlUrl,
        region: 'us-east-1',
        defaultAuthMode: 'userPool' as const,
        apiKey: stack.apiKey,
      },
    },
  };
}

export function configureAmplify(stack: StackState): void {
  Amplify.configure(amplifyConfig(stack));
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
}

/** Signs out whoever is signed in, then signs NAME in with its password, as a sign-in form does. */
export async function signInAs(name: string): Promise<void> {
  await signOut();
  const { isSignedIn, nextStep } = await signIn({ username: name, password: LOCAL_PASSWORD });
  if (!isSignedIn) throw new Error(`${name} is not signed in: next step ${JSON.stringify(nextStep)}`);
}
