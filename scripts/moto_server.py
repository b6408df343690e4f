"""moto's DynamoDB server with each API call applied atomically.

moto_server serves requests on many threads, and moto's DynamoDB backend does not lock its
tables: two concurrent TransactWriteItems can both pass their conditions, and a failed one
restores a snapshot over the other's writes. Real DynamoDB makes every call atomic and
serialisable, so this server runs the same moto application behind one lock: requests still
arrive concurrently (the code under test still races), but each is applied as a unit.

usage: python scripts/moto_server.py HOST PORT
"""

import os
import signal
import sys
import threading

from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def _find_user_by_username_alias_or_sub(original):
    """Cognito takes a user's `sub` wherever it takes a username; moto (5.2.5) only the
    username. A PASSWORD_VERIFIER answer naming the user by sub (USER_ID_FOR_SRP in pools that
    sign in by e-mail) fails without this with "User does not exist"."""

    def find(self, username):
        return original(self, username) or next(
            (u for u in self.users.values() if u.id == username), None
        )

    return find


CognitoIdpUserPool._get_user = _find_user_by_username_alias_or_sub(CognitoIdpUserPool._get_user)


def _user_id_for_srp_as_cognito_gives_it(original):
    """Cognito's PASSWORD_VERIFIER challenge names the user in USER_ID_FOR_SRP by its username
    (a sub only in pools that sign users in by e-mail or phone, whose usernames are subs); moto
    (5.2.5) always gives the sub. Amplify answers with that value and moto names the user by it
    in the tokens (`cognito:username`, `username`): without this, a user signed in through
    Amplify is `alice` on AWS and a sub locally."""

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        result = original(self, client_id, auth_flow, auth_parameters)
        if result.get("ChallengeName") == "PASSWORD_VERIFIER":
            pool = next(p for p in self.user_pools.values() if client_id in p.clients)
            if not pool.extended_config.get("UsernameAttributes"):
                params = result["ChallengeParameters"]
                params["USER_ID_FOR_SRP"] = params["USERNAME"]
        return result

    return initiate_auth


CognitoIdpBackend.initiate_auth = _user_id_for_srp_as_cognito_gives_it(CognitoIdpBackend.initiate_auth)


def _unknown_user_refused_as_a_wrong_password(original):
    """A client with PreventUserExistenceErrors ENABLED makes Cognito refuse an unknown user's
    sign-in as a wrong password's (NotAuthorizedException), so that no one can learn which
    users exist; moto (5.2.5) ignores the setting and answers UserNotFoundException. (Cognito
    refuses SRP at the challenge's answer, moto here at its start: an app sees the same
    error.)"""

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        try:
            return original(self, client_id, auth_flow, auth_parameters)
        except UserNotFoundError:
            client = next(p.clients[client_id] for p in self.user_pools.values() if client_id in p.clients)
            if client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
                raise NotAuthorizedError("Incorrect username or password.") from None
            raise

    return initiate_auth


CognitoIdpBackend.initiate_auth = _unknown_user_refused_as_a_wrong_password(CognitoIdpBackend.initiate_auth)


def _get_tokens_from_refresh_token(self):
    """Cognito's GetTokensFromRefreshToken, which Amplify v6 (6.22) refreshes its tokens with
    (an hour after sign-in, or on `fetchAuthSession({ forceRefresh: true })`); moto 5.2.5 lacks
    it. For a client without refresh token rotation (ours) Cognito answers it as InitiateAuth's
    REFRESH_TOKEN_AUTH does: new access and ID tokens, no new refresh token. A client with a
    secret (none of ours) is refused: this passes no SECRET_HASH."""
    result = self._get_region_agnostic_backend().initiate_auth(
        self._get_param("ClientId"),
        "REFRESH_TOKEN_AUTH",
        {"REFRESH_TOKEN": self._get_param("RefreshToken")},
    )
    return ActionResult(result)


CognitoIdpResponse.get_tokens_from_refresh_token = _get_tokens_from_refresh_token


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Read the whole response inside the lock: werkzeug may stream it lazily.
            return list(self.app(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, OneAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
