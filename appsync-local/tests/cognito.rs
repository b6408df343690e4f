//! The local user pool on moto's cognito-idp (issue 11 item 2): the stack creates the pool,
//! clients and group template.yaml declares; users sign in there for real RS256 tokens; the
//! endpoint verifies tokens as AppSync does and answers 401 (with `x-amzn-ErrorType`)
//! otherwise. Tokens with a valid signature but wrong claims are signed with moto's own key,
//! read from the moto package the test scripts run.

mod support;

use std::collections::BTreeMap;

use appsync_local::cognito::{ensure_user_pool, sign_in, LOCAL_PASSWORD};
use appsync_local::locals::Locals;
use aws_cognito_srp::{SrpClient, User as SrpUser};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use support::{claims_of, data, errors, gql, stack, user, Credential};
use testkit::template::Template;

/// moto's private signing key (one key pair for every pool), as PEM.
fn motos_private_key() -> jsonwebtoken::EncodingKey {
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python");
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(
            "import gzip, json, os, moto.cognitoidp as c\n\
             from joserfc.jwk import RSAKey\n\
             raw = gzip.open(os.path.join(os.path.dirname(c.__file__), 'resources', 'jwks-private.json.gz')).read()\n\
             print(RSAKey.import_key(json.loads(raw)).as_pem(private=True).decode())",
        )
        .output()
        .expect("the project's .venv python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    jsonwebtoken::EncodingKey::from_rsa_pem(&out.stdout).expect("moto's key is RSA PEM")
}

/// `claims` signed as moto signs (RS256, kid `dummy`, its key).
fn signed_by_moto(claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("dummy".into());
    jsonwebtoken::encode(&header, claims, &motos_private_key()).unwrap()
}

/// The status, `x-amzn-ErrorType` and body of `{ listMyEvents }` with `token`.
async fn call(addr: std::net::SocketAddr, token: &str) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .header("authorization", token)
        .json(&json!({ "query": "{ listMyEvents { items { id } } }" }))
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, error_type, response.json().await.expect("JSON"))
}

async fn assert_refused(addr: std::net::SocketAddr, token: &str, what: &str) -> Value {
    let (status, error_type, body) = call(addr, token).await;
    assert_eq!(status, 401, "{what}: {body}");
    assert_eq!(
        error_type.as_deref(),
        Some("UnauthorizedException"),
        "{what}"
    );
    assert_eq!(
        body["errors"][0]["errorType"], "UnauthorizedException",
        "{what}"
    );
    assert!(body.get("data").is_none(), "{what}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_templates_pool_clients_and_group_are_on_moto() {
    let stack = stack(false).await;
    let pool = stack
        .user_pool
        .clone()
        .expect("template.yaml declares a pool");
    assert_eq!(pool.name, format!("{}-users", stack_prefix(&stack)));
    assert_eq!(
        pool.issuer,
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", pool.id)
    );
    let names: Vec<&str> = pool.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["web", "operators"]);
    assert_eq!(pool.web_client().unwrap().logical_id, "UserPoolClient");
    assert_eq!(
        pool.admin_client().unwrap().logical_id,
        "OperatorUserPoolClient"
    );
    assert_eq!(pool.groups, ["Admin"]);

    // As moto holds it.
    let idp = aws_sdk_cognitoidentityprovider::Client::new(
        &testkit::sdk_config_at(&testkit::user_pool_endpoint()).await,
    );
    let described = idp
        .describe_user_pool()
        .user_pool_id(&pool.id)
        .send()
        .await
        .unwrap();
    let policy = described
        .user_pool()
        .and_then(|p| p.policies())
        .and_then(|p| p.password_policy())
        .unwrap();
    assert_eq!(policy.minimum_length(), Some(12));
    let web = idp
        .describe_user_pool_client()
        .user_pool_id(&pool.id)
        .client_id(&pool.web_client().unwrap().id)
        .send()
        .await
        .unwrap();
    let flows: Vec<String> = web
        .user_pool_client()
        .unwrap()
        .explicit_auth_flows()
        .iter()
        .map(|f| f.as_str().to_string())
        .collect();
    assert_eq!(flows, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    assert_eq!(
        web.user_pool_client()
            .unwrap()
            .prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Enabled)
    );

    // A stack started again on the same moto finds the pool instead of making another.
    let tables = BTreeMap::new();
    let again = ensure_user_pool(
        &idp,
        Template::repository(),
        &Locals {
            stack_name: &stack_prefix(&stack),
            tables: &tables,
        },
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(again, pool);
    stack.stop().await;
}

fn stack_prefix(stack: &appsync_local::Stack) -> String {
    stack
        .tables
        .values()
        .next()
        .and_then(|t| t.split_once('-'))
        .map(|(p, _)| p.to_string())
        .expect("a table")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_users_are_callers_and_groups_come_from_the_pool() {
    let stack = stack(false).await;
    let addr = stack.addr;
    let alice = user(&stack, "alice", &[]).await;
    let claims = claims_of(&alice.token);
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["iss"], stack.user_pool.as_ref().unwrap().issuer);
    let body = gql(
        addr,
        &alice.who,
        "{ listMyEvents { items { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&body)["listMyEvents"]["items"], json!([]));
    let profile = gql(
        addr,
        &alice.who,
        "mutation { updateUser(input: {username: \"alice\"}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(data(&profile)["updateUser"]["id"], alice.sub.as_str());

    // Not an admin: room creation is refused; in Admin (the same user, signed in again), it works.
    let create_room = "mutation { createRoom(input: {name: \"Annex\", capacity: 10}) { name } }";
    let body = gql(addr, &alice.who, create_room, json!({})).await;
    assert_eq!(errors(&body)[0]["errorType"], "Unauthorized", "{body}");
    let admin = user(&stack, "alice", &["Admin"]).await;
    assert_eq!(admin.sub, alice.sub, "the same user");
    assert_eq!(claims_of(&admin.token)["cognito:groups"], json!(["Admin"]));
    let body = gql(addr, &admin.who, create_room, json!({})).await;
    assert_eq!(data(&body)["createRoom"]["name"], "Annex");
    // And out of it again: groups are exactly the ones asked for.
    let plain = user(&stack, "alice", &[]).await;
    assert!(claims_of(&plain.token).get("cognito:groups").is_none());

    // An ID token of the pool's client is accepted too (AppSync takes either).
    let tokens = stack.sign_in("alice", &[]).await.unwrap();
    assert_eq!(claims_of(&tokens.id)["token_use"], "id");
    let body = gql(
        addr,
        &Credential::Token(tokens.id),
        "{ listMyEvents { items { id } } }",
        json!({}),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_appsync_would_refuse_get_401_unauthorized() {
    let stack = stack(false).await;
    let addr = stack.addr;
    let pool = stack.user_pool.clone().unwrap();
    let alice = user(&stack, "alice", &[]).await;
    let claims = claims_of(&alice.token);
    let now = chrono::Utc::now().timestamp();
    let invocations = || {
        stack
            .functions
            .counters
            .invocations
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let before = invocations();

    // alg none, with alice's real claims.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        alice.token.split('.').nth(1).unwrap()
    );
    let body = assert_refused(addr, &none, "alg none").await;
    assert_eq!(
        body["errors"][0]["message"],
        "Valid authorization header not provided."
    );

    // A real token, its claims rewritten (another sub, the Admin group), the signature kept.
    let mut forged = claims.clone();
    forged["sub"] = json!("someone-else");
    forged["cognito:groups"] = json!(["Admin"]);
    let parts: Vec<&str> = alice.token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(forged.to_string()),
        parts[2]
    );
    assert_refused(addr, &forged, "forged signature").await;

    // Another pool on the same moto (moto signs it with the same key): its issuer is not ours.
    let idp = aws_sdk_cognitoidentityprovider::Client::new(
        &testkit::sdk_config_at(&testkit::user_pool_endpoint()).await,
    );
    let tables = BTreeMap::new();
    let other_name = testkit::unique_prefix();
    let other = ensure_user_pool(
        &idp,
        Template::repository(),
        &Locals {
            stack_name: &other_name,
            tables: &tables,
        },
    )
    .await
    .unwrap()
    .unwrap();
    assert_ne!(other.id, pool.id);
    let theirs = sign_in(&idp, &other, "alice", &[]).await.unwrap();
    assert_refused(addr, &theirs.access, "another pool's token").await;

    // moto's key and our issuer, but expired.
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 60);
    let body = assert_refused(addr, &signed_by_moto(&expired), "expired").await;
    assert_eq!(body["errors"][0]["message"], "Token has expired.");

    // moto's key and our issuer, issued to a client that is not one of the pool's.
    let mut foreign = claims.clone();
    foreign["client_id"] = json!("3rdpartyclient0000000000000");
    assert_refused(addr, &signed_by_moto(&foreign), "a foreign client").await;

    // Neither an ID nor an access token.
    let mut other_use = claims.clone();
    other_use["token_use"] = json!("refresh");
    assert_refused(addr, &signed_by_moto(&other_use), "token_use refresh").await;

    assert_eq!(invocations(), before, "no Lambda ran for a refused token");

    // The same claims signed by moto are accepted: each refusal above is for its one reason.
    let (status, _, body) = call(addr, &signed_by_moto(&claims)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(invocations(), before + 1);
    stack.stop().await;
}

/// A user's SRP client, as Amplify is one: its own secret `a`, the pool's id and a password.
fn srp_client(pool_id: &str, client: &str, username: &str, password: &str) -> SrpClient<SrpUser> {
    SrpClient::new(SrpUser::new(pool_id, username, password), client, None)
}

/// Amplify's first step of USER_SRP_AUTH through `client`: the username and SRP_A.
async fn start_srp(
    idp: &aws_sdk_cognitoidentityprovider::Client,
    client: &str,
    srp: &SrpClient<SrpUser>,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError,
    >,
> {
    let start = srp.get_auth_parameters();
    idp.initiate_auth()
        .client_id(client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", start.username)
        .auth_parameters("SRP_A", start.a)
        .send()
        .await
}

/// Amplify's sign-in (USER_SRP_AUTH through the web client) against moto, answered the way
/// Amplify answers the PASSWORD_VERIFIER challenge: with the USER_ID_FOR_SRP it was given,
/// which Cognito makes the username in a pool without username attributes (moto alone gives
/// the sub, and its tokens then name the user by sub; `scripts/moto_server.py` fixes both).
/// Cognito also takes the sub wherever it takes a username, so an answer naming the user by
/// sub signs in too. The proof is real (a Cognito SRP client's), and checked: moto alone
/// accepts any, `scripts/moto_server.py` verifies it against the user's password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplifys_srp_sign_in_through_the_web_client_reaches_tokens() {
    use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
    let stack = stack(false).await;
    let alice = user(&stack, "alice", &[]).await;
    let pool = stack.user_pool.clone().unwrap();
    let web = pool.web_client().unwrap().id.clone();
    let idp = aws_sdk_cognitoidentityprovider::Client::new(
        &testkit::sdk_config_at(&testkit::user_pool_endpoint()).await,
    );
    // One sign-in with `password`: the challenge's parameters, then what the answer naming the
    // user by `answer_as` (given the challenge's USER_ID_FOR_SRP) gets.
    let sign_in = |password: &'static str, answer_as: fn(&str, &str) -> String| {
        let (idp, web, sub, pool_id) =
            (idp.clone(), web.clone(), alice.sub.clone(), pool.id.clone());
        async move {
            let srp = srp_client(&pool_id, &web, "alice", password);
            let challenge = start_srp(&idp, &web, &srp).await.unwrap();
            assert_eq!(
                challenge.challenge_name(),
                Some(&ChallengeNameType::PasswordVerifier)
            );
            let params = challenge.challenge_parameters().unwrap().clone();
            let proof = srp
                .verify(
                    &params["SECRET_BLOCK"],
                    &params["USER_ID_FOR_SRP"],
                    &params["SALT"],
                    &params["SRP_B"],
                )
                .expect("the challenge's values are well formed");
            let answer = idp
                .respond_to_auth_challenge()
                .client_id(&web)
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .challenge_responses("USERNAME", answer_as(&params["USER_ID_FOR_SRP"], &sub))
                .challenge_responses(
                    "PASSWORD_CLAIM_SECRET_BLOCK",
                    proof.password_claim_secret_block,
                )
                .challenge_responses("PASSWORD_CLAIM_SIGNATURE", proof.password_claim_signature)
                .challenge_responses("TIMESTAMP", proof.timestamp)
                .send()
                .await;
            (params, answer)
        }
    };
    let tokens = |answer: Result<RespondToAuthChallengeOutput, _>| {
        let answer: RespondToAuthChallengeOutput = answer.expect("the answer signs alice in");
        let result = answer.authentication_result().expect("tokens");
        (
            result.access_token().unwrap().to_string(),
            result.id_token().unwrap().to_string(),
            result.refresh_token().unwrap().to_string(),
        )
    };

    // A wrong password's proof is refused as Cognito refuses it.
    let (_, wrong) = sign_in("Not-the-passw0rd", |given, _| given.to_string()).await;
    let wrong = wrong.expect_err("a wrong password");
    let wrong = wrong.as_service_error().unwrap();
    assert_eq!(wrong.meta().code(), Some("NotAuthorizedException"));
    assert_eq!(
        wrong.meta().message(),
        Some("Incorrect username or password.")
    );

    let (params, answer) = sign_in(LOCAL_PASSWORD, |given, _| given.to_string()).await;
    let (access, id, refresh) = tokens(answer);
    assert_eq!(
        params["USER_ID_FOR_SRP"], "alice",
        "Cognito names the user by its username"
    );
    let (access_claims, id_claims) = (claims_of(&access), claims_of(&id));
    assert_eq!(access_claims["client_id"], web.as_str());
    assert_eq!(access_claims["sub"], alice.sub.as_str());
    assert_eq!(access_claims["username"], "alice");
    assert_eq!(id_claims["cognito:username"], "alice");

    // The web client prevents user existence errors (template.yaml), so an unknown user is
    // refused as a wrong password is, not with UserNotFoundException (moto needs
    // `scripts/moto_server.py` for that).
    let nobody = srp_client(&pool.id, &web, "nobody", LOCAL_PASSWORD);
    let unknown = start_srp(&idp, &web, &nobody)
        .await
        .expect_err("an unknown user");
    let unknown = unknown.as_service_error().unwrap();
    assert_eq!(unknown.meta().code(), Some("NotAuthorizedException"));
    assert_eq!(
        unknown.meta().message(),
        Some("Incorrect username or password.")
    );

    let (_, answer) = sign_in(LOCAL_PASSWORD, |_, sub| sub.to_string()).await;
    let (by_sub, _, _) = tokens(answer);
    assert_eq!(
        claims_of(&by_sub)["sub"],
        alice.sub.as_str(),
        "found by sub"
    );

    // How Amplify refreshes (GetTokensFromRefreshToken, which moto needs
    // `scripts/moto_server.py` for): new tokens for the same user, no new refresh token (the
    // client does not rotate them).
    let refreshed = idp
        .get_tokens_from_refresh_token()
        .client_id(&web)
        .refresh_token(&refresh)
        .send()
        .await
        .expect("GetTokensFromRefreshToken");
    let result = refreshed.authentication_result().expect("tokens");
    let renewed = result.access_token().unwrap().to_string();
    assert_ne!(renewed, access);
    assert_eq!(claims_of(&renewed)["username"], "alice");
    assert_eq!(claims_of(&renewed)["client_id"], web.as_str());
    assert!(result.id_token().is_some());
    assert!(result.refresh_token().is_none());
    let revoked = idp
        .get_tokens_from_refresh_token()
        .client_id(&web)
        .refresh_token("not-a-refresh-token")
        .send()
        .await
        .expect_err("an unknown refresh token");
    assert_eq!(
        revoked.as_service_error().and_then(|e| e.meta().code()),
        Some("NotAuthorizedException")
    );

    // Tokens of the web client, as Amplify holds them: accepted by the endpoint.
    for token in [access, renewed] {
        let body = gql(
            stack.addr,
            &Credential::Token(token),
            "{ listMyEvents { items { id } } }",
            json!({}),
        )
        .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    stack.stop().await;
}
