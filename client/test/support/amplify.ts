// Amplify JS v6 pointed at a local stack, configured the way an app configures it: from an
// `amplify_outputs.json`-shaped object, Cognito user pools as the default mode and the API key
// as an additional one.
import { Amplify } from 'aws-amplify';
import { type AuthTokens, type TokenProvider, decodeJWT } from 'aws-amplify/auth';

import type { DevStack } from './stack';

// TODO(cognito, issue 11 item 2): the pool and app client the local stack creates in moto's
// cognito-idp. Until then tokens come from `./dev token` (issuer `.../us-east-1_LOCAL`,
// audience `local`) and their signature is not checked.
const LOCAL_USER_POOL_ID = 'us-east-1_LOCAL';
const LOCAL_USER_POOL_CLIENT_ID = 'local';

/** What `amplify_outputs.json` would hold for the local stack. */
export function localOutputs(stack: DevStack) {
  return {
    version: '1.4',
    auth: {
      aws_region: 'us-east-1',
      user_pool_id: LOCAL_USER_POOL_ID,
      user_pool_client_id: LOCAL_USER_POOL_CLIENT_ID,
    },
    data: {
      url: stack.url,
      aws_region: 'us-east-1',
      api_key: stack.apiKey,
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['API_KEY'],
    },
  };
}

/**
 * Who is signed in, for Amplify's `userPool` mode: a token provider (Amplify's documented hook
 * for bringing your own tokens) that hands Amplify the token of the user the test "signed in".
 * Amplify then sends it in `Authorization` and `getCurrentUser()` reads the user from it, as
 * after a real sign-in.
 *
 * TODO(cognito, issue 11 item 2): replace with Amplify Auth's own `signIn({ username,
 * password })` against the local user pool (`userPoolEndpoint`), dropping this provider.
 */
export class LocalSession implements TokenProvider {
  private tokens: AuthTokens | null = null;

  signInWithToken(jwt: string): void {
    const token = decodeJWT(jwt);
    // Amplify sends the access token; `./dev token` makes one token for both roles.
    this.tokens = { accessToken: token, idToken: token };
  }

  signOut(): void {
    this.tokens = null;
  }

  async getTokens(): Promise<AuthTokens | null> {
    return this.tokens;
  }
}

export function configureAmplify(stack: DevStack, session: LocalSession): void {
  Amplify.configure(localOutputs(stack), { Auth: { tokenProvider: session } });
}
