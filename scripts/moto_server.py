"""moto's server, with its Cognito user pools answering as Cognito does where Amplify and the
local stack rely on it (each patch below says what moto lacks). The local engines (scripts/engines)
run it for the user pools only: DynamoDB is AWS's own DynamoDB Local.

usage: python scripts/moto_server.py HOST PORT
"""

import base64
import hashlib
import hmac
import os
import secrets
import signal
import sys

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

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


# Cognito's SRP (USER_SRP_AUTH, what Amplify signs in with): moto (5.2.5) answers the
# PASSWORD_VERIFIER challenge with random SRP_B and SALT and accepts any PASSWORD_CLAIM_SIGNATURE,
# so any password signed an existing user in. Below, the server's side of the same protocol as
# Cognito runs it, from what the user's password (which moto keeps) makes the verifier: Amplify's
# and any SRP client's proof is checked, and a wrong password is refused as Cognito refuses it.

# RFC 3526's 3072-bit MODP group (section 4) with generator 2: the group Cognito's SRP uses.
_SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
_SRP_G = 2


def _padded_hex(n):
    """An SRP integer as Cognito's clients hash it: even length, and a leading 00 where the top
    bit is set (a positive two's-complement value)."""
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    return "00" + h if h[0] in "89abcdef" else h


def _hash_of_hex(hex_text):
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


_SRP_K = int(_hash_of_hex(_padded_hex(_SRP_N) + _padded_hex(_SRP_G)), 16)

# The server's half of each challenge still to be answered, by its SECRET_BLOCK.
_srp_challenges = {}


def _srp_challenge_from_the_password(original):
    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        result = original(self, client_id, auth_flow, auth_parameters)
        if result.get("ChallengeName") != "PASSWORD_VERIFIER":
            return result
        a_value = int(auth_parameters.get("SRP_A") or "0", 16)
        if a_value % _SRP_N == 0:
            raise NotAuthorizedError("Incorrect username or password.")
        params = result["ChallengeParameters"]
        pool = next(p for p in self.user_pools.values() if client_id in p.clients)
        user = pool._get_user(params["USERNAME"])
        pool_name = pool.id.split("_", 1)[1]
        user_id = params["USER_ID_FOR_SRP"]
        salt = secrets.randbits(128)
        secret = hashlib.sha256(f"{pool_name}{user_id}:{user.password}".encode()).hexdigest()
        x = int(_hash_of_hex(_padded_hex(salt) + secret), 16)
        verifier = pow(_SRP_G, x, _SRP_N)
        b = secrets.randbits(1024)
        b_value = (_SRP_K * verifier + pow(_SRP_G, b, _SRP_N)) % _SRP_N
        # moto finds the sign-in by the secret block it hands out; a real one (random bytes,
        # base64) takes the place of its session id there.
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        self.sessions[block] = self.sessions.pop(result["Session"])
        result["Session"] = block
        params.update(SALT=format(salt, "x"), SRP_B=format(b_value, "x"), SECRET_BLOCK=block)
        _srp_challenges[block] = (a_value, b, b_value, verifier, pool_name, user_id)
        return result

    return initiate_auth


CognitoIdpBackend.initiate_auth = _srp_challenge_from_the_password(CognitoIdpBackend.initiate_auth)


def _srp_proof_checked(original):
    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name == "PASSWORD_VERIFIER":
            block = challenge_responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
            challenge = _srp_challenges.pop(block, None)
            if challenge is None:
                raise NotAuthorizedError("Incorrect username or password.")
            a_value, b, b_value, verifier, pool_name, user_id = challenge
            u = int(_hash_of_hex(_padded_hex(a_value) + _padded_hex(b_value)), 16)
            shared = pow(a_value * pow(verifier, u, _SRP_N), b, _SRP_N)
            key = HKDF(
                algorithm=SHA256(), length=16, salt=bytes.fromhex(_padded_hex(u)), info=b"Caldera Derived Key"
            ).derive(bytes.fromhex(_padded_hex(shared)))
            message = (
                pool_name.encode()
                + user_id.encode()
                + base64.b64decode(block)
                + (challenge_responses.get("TIMESTAMP") or "").encode()
            )
            expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
            claimed = challenge_responses.get("PASSWORD_CLAIM_SIGNATURE") or ""
            if not hmac.compare_digest(expected, claimed):
                raise NotAuthorizedError("Incorrect username or password.")
        return original(self, session, client_id, challenge_name, challenge_responses)

    return respond_to_auth_challenge


CognitoIdpBackend.respond_to_auth_challenge = _srp_proof_checked(CognitoIdpBackend.respond_to_auth_challenge)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=True)


if __name__ == "__main__":
    main()
