//! The API's user pool, locally: the pool, app clients and groups template.yaml declares,
//! held by moto's cognito-idp, and signing a user in there for a real RS256 token.
//!
//! moto signs every pool's tokens with one key pair (kid `dummy`) and serves each pool's JWKS
//! at `/<pool id>/.well-known/jwks.json`, so `auth::jwt` checks the issuer and the client as
//! well as the signature. moto alone accepts any SRP proof; `scripts/moto_server.py` makes it
//! check the proof against the user's password as Cognito does. A pool of the same name already on moto (a stack restarted against a
//! running moto) is reused with its users.

use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeDataType, AttributeType, AuthFlowType, ExplicitAuthFlowsType,
    MessageActionType, PasswordPolicyType, PreventUserExistenceErrorTypes, SchemaAttributeType,
    UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use stack_template::{Expr, Template, UserPool as PoolResource};

use crate::error::{Error, Result};
use crate::locals::{Locals, LOCAL_REGION};

/// The password `./dev token` gives the users it creates (it meets the template's password
/// policy); Amplify's `signIn` signs in with it.
pub const LOCAL_PASSWORD: &str = "Local-passw0rd-2026";

/// The pool on moto, as the endpoint and `./dev token` use it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPool {
    pub id: String,
    pub name: String,
    /// `https://cognito-idp.<region>.amazonaws.com/<id>`: every token's `iss`.
    pub issuer: String,
    /// The template's app clients, created on moto.
    pub clients: Vec<AppClient>,
    /// The template's groups of this pool (e.g. `Admin`).
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppClient {
    /// The template's logical id (`UserPoolClient`).
    pub logical_id: String,
    pub name: String,
    pub id: String,
    pub explicit_auth_flows: Vec<String>,
}

impl UserPool {
    /// The client a browser app signs in with: the first that allows SRP.
    pub fn web_client(&self) -> Option<&AppClient> {
        self.clients
            .iter()
            .find(|c| c.allows("ALLOW_USER_SRP_AUTH"))
    }

    /// The client `./dev token` signs in with (AdminInitiateAuth, as an operator would).
    pub fn admin_client(&self) -> Option<&AppClient> {
        self.clients
            .iter()
            .find(|c| c.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH"))
    }
}

impl AppClient {
    fn allows(&self, flow: &str) -> bool {
        self.explicit_auth_flows.iter().any(|f| f == flow)
    }
}

/// A signed-in user's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// What Amplify v6 sends in `Authorization` (`token_use: access`).
    pub access: String,
    pub id: String,
}

fn sdk_error<E: std::error::Error>(call: &'static str) -> impl FnOnce(E) -> Error {
    move |e| Error::Refused {
        call,
        detail: DisplayErrorContext(&e).to_string(),
    }
}

/// The pool the GraphQL API authorizes with (its `UserPoolConfig.UserPoolId`), or the
/// template's only pool.
pub fn api_pool(template: &Template) -> Option<&PoolResource> {
    let wanted = template
        .graphql_apis
        .iter()
        .find_map(|a| a.properties.user_pool_config.as_ref())
        .and_then(|c| c.user_pool_id.ref_target().map(str::to_string));
    match wanted {
        Some(id) => template.user_pools.iter().find(|p| p.id == id),
        None => template.user_pools.first(),
    }
}

/// Finds the API's pool on moto by name, or creates it with the template's clients and groups.
pub async fn ensure_user_pool(
    idp: &Client,
    template: &Template,
    locals: &Locals<'_>,
) -> Result<Option<UserPool>> {
    let Some(resource) = api_pool(template) else {
        return Ok(None);
    };
    let p = &resource.properties;
    let name = p
        .user_pool_name
        .as_ref()
        .and_then(|n| locals.eval(n))
        .unwrap_or_else(|| format!("{}-{}", locals.stack_name, resource.id));

    let id = match find_pool(idp, &name).await? {
        Some(id) => id,
        None => create_pool(idp, &name, resource).await?,
    };

    let existing = idp
        .list_user_pool_clients()
        .user_pool_id(&id)
        .max_results(60)
        .send()
        .await
        .map_err(sdk_error("ListUserPoolClients"))?;
    let mut clients = Vec::new();
    let of_this_pool =
        |pool: &Option<Expr>| pool.as_ref().and_then(Expr::ref_target) == Some(&resource.id);
    for c in template
        .user_pool_clients
        .iter()
        .filter(|c| of_this_pool(&c.properties.user_pool_id))
    {
        let cp = &c.properties;
        let client_name = cp.client_name.clone().unwrap_or_else(|| c.id.clone());
        let found = existing
            .user_pool_clients()
            .iter()
            .find(|d| d.client_name() == Some(client_name.as_str()))
            .and_then(|d| d.client_id().map(str::to_string));
        let client_id = match found {
            Some(id) => id,
            None => {
                let created = idp
                    .create_user_pool_client()
                    .user_pool_id(&id)
                    .client_name(&client_name)
                    .generate_secret(cp.generate_secret.unwrap_or(false))
                    .set_prevent_user_existence_errors(
                        cp.prevent_user_existence_errors
                            .as_deref()
                            .map(PreventUserExistenceErrorTypes::from),
                    )
                    .set_explicit_auth_flows(Some(
                        cp.explicit_auth_flows
                            .iter()
                            .map(|f| ExplicitAuthFlowsType::from(f.as_str()))
                            .collect(),
                    ))
                    .send()
                    .await
                    .map_err(sdk_error("CreateUserPoolClient"))?;
                created
                    .user_pool_client()
                    .and_then(|c| c.client_id())
                    .ok_or_else(|| {
                        Error::UserPool("CreateUserPoolClient answered without a client id".into())
                    })?
                    .to_string()
            }
        };
        clients.push(AppClient {
            logical_id: c.id.clone(),
            name: client_name,
            id: client_id,
            explicit_auth_flows: cp.explicit_auth_flows.clone(),
        });
    }

    let mut groups = Vec::new();
    for g in template
        .user_pool_groups
        .iter()
        .filter(|g| of_this_pool(&g.properties.user_pool_id))
    {
        let Some(group) = g.properties.group_name.clone() else {
            continue;
        };
        if let Err(e) = idp
            .create_group()
            .user_pool_id(&id)
            .group_name(&group)
            .send()
            .await
        {
            if !e
                .as_service_error()
                .is_some_and(|s| s.is_group_exists_exception())
            {
                return Err(sdk_error("CreateGroup")(e));
            }
        }
        groups.push(group);
    }

    Ok(Some(UserPool {
        issuer: format!("https://cognito-idp.{LOCAL_REGION}.amazonaws.com/{id}"),
        id,
        name,
        clients,
        groups,
    }))
}

async fn find_pool(idp: &Client, name: &str) -> Result<Option<String>> {
    let mut pages = idp
        .list_user_pools()
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(sdk_error("ListUserPools"))?;
        if let Some(id) = page
            .user_pools()
            .iter()
            .find(|p| p.name() == Some(name))
            .and_then(|p| p.id())
        {
            return Ok(Some(id.to_string()));
        }
    }
    Ok(None)
}

async fn create_pool(idp: &Client, name: &str, resource: &PoolResource) -> Result<String> {
    let p = &resource.properties;
    let mut request = idp.create_user_pool().pool_name(name);
    if let Some(policy) = p.policies.as_ref().and_then(|p| p.password_policy.as_ref()) {
        let mut b = PasswordPolicyType::builder();
        if let Some(n) = policy.minimum_length {
            b = b.minimum_length(n as i32);
        }
        b = b
            .set_require_lowercase(policy.require_lowercase)
            .set_require_uppercase(policy.require_uppercase)
            .set_require_numbers(policy.require_numbers)
            .set_require_symbols(policy.require_symbols);
        request = request.policies(
            UserPoolPolicyType::builder()
                .password_policy(b.build())
                .build(),
        );
    }
    for a in &p.alias_attributes {
        request = request.alias_attributes(AliasAttributeType::from(a.as_str()));
    }
    for a in &p.username_attributes {
        request = request.username_attributes(UsernameAttributeType::from(a.as_str()));
    }
    for a in &p.auto_verified_attributes {
        request = request.auto_verified_attributes(VerifiedAttributeType::from(a.as_str()));
    }
    for a in &p.schema {
        request = request.schema(
            SchemaAttributeType::builder()
                .name(&a.name)
                .set_attribute_data_type(
                    a.attribute_data_type
                        .as_deref()
                        .map(AttributeDataType::from),
                )
                .set_required(a.required)
                .set_mutable(a.mutable)
                .build(),
        );
    }
    if let Some(mfa) = &p.mfa_configuration {
        request = request.mfa_configuration(UserPoolMfaType::from(mfa.as_str()));
    }
    let created = request.send().await.map_err(sdk_error("CreateUserPool"))?;
    created
        .user_pool()
        .and_then(|p| p.id())
        .map(str::to_string)
        .ok_or_else(|| Error::UserPool("CreateUserPool answered without a pool id".into()))
}

/// Signs `username` in through moto, creating the user on first use (password
/// [`LOCAL_PASSWORD`], e-mail `<username>@example.com`, verified) and making its groups exactly
/// `groups`. Signs in as an operator would (AdminInitiateAuth, ADMIN_USER_PASSWORD_AUTH, with
/// the template's client that allows it).
pub async fn sign_in(
    idp: &Client,
    pool: &UserPool,
    username: &str,
    groups: &[&str],
) -> Result<Tokens> {
    for g in groups {
        if !pool.groups.iter().any(|known| known == g) {
            return Err(Error::Config(format!(
                "template.yaml declares no group {g} in the user pool; it has: {}",
                pool.groups.join(", ")
            )));
        }
    }
    let client = pool.admin_client().ok_or_else(|| {
        Error::Config(
            "template.yaml declares no app client with ALLOW_ADMIN_USER_PASSWORD_AUTH to sign users in with".into(),
        )
    })?;
    match idp
        .admin_get_user()
        .user_pool_id(&pool.id)
        .username(username)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_user_not_found_exception()) =>
        {
            let attribute = |name: &str, value: String| {
                AttributeType::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(|e| Error::UserPool(e.to_string()))
            };
            idp.admin_create_user()
                .user_pool_id(&pool.id)
                .username(username)
                .user_attributes(attribute("email", format!("{username}@example.com"))?)
                .user_attributes(attribute("email_verified", "true".into())?)
                .message_action(MessageActionType::Suppress)
                .send()
                .await
                .map_err(sdk_error("AdminCreateUser"))?;
            idp.admin_set_user_password()
                .user_pool_id(&pool.id)
                .username(username)
                .password(LOCAL_PASSWORD)
                .permanent(true)
                .send()
                .await
                .map_err(sdk_error("AdminSetUserPassword"))?;
        }
        Err(e) => return Err(sdk_error("AdminGetUser")(e)),
    }

    let current = idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool.id)
        .username(username)
        .send()
        .await
        .map_err(sdk_error("AdminListGroupsForUser"))?;
    let current: Vec<String> = current
        .groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_string))
        .collect();
    for g in groups.iter().filter(|g| !current.iter().any(|c| c == *g)) {
        idp.admin_add_user_to_group()
            .user_pool_id(&pool.id)
            .username(username)
            .group_name(*g)
            .send()
            .await
            .map_err(sdk_error("AdminAddUserToGroup"))?;
    }
    for g in current.iter().filter(|c| !groups.contains(&c.as_str())) {
        idp.admin_remove_user_from_group()
            .user_pool_id(&pool.id)
            .username(username)
            .group_name(g)
            .send()
            .await
            .map_err(sdk_error("AdminRemoveUserFromGroup"))?;
    }

    let answer = idp
        .admin_initiate_auth()
        .user_pool_id(&pool.id)
        .client_id(&client.id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", LOCAL_PASSWORD)
        .send()
        .await
        .map_err(sdk_error("AdminInitiateAuth"))?;
    let result = answer.authentication_result().ok_or_else(|| {
        Error::UserPool(format!(
            "AdminInitiateAuth for {username} answered with a challenge ({:?}), not tokens",
            answer.challenge_name()
        ))
    })?;
    match (result.access_token(), result.id_token()) {
        (Some(access), Some(id)) => Ok(Tokens {
            access: access.to_string(),
            id: id.to_string(),
        }),
        _ => Err(Error::UserPool(
            "AdminInitiateAuth answered without tokens".into(),
        )),
    }
}

/// The pool's public keys, from moto (`/<pool id>/.well-known/jwks.json`; the `iss` URL is
/// AWS's, which moto does not serve).
pub async fn fetch_jwks(moto_endpoint: &str, pool_id: &str) -> Result<jsonwebtoken::jwk::JwkSet> {
    let url = format!(
        "{}/{pool_id}/.well-known/jwks.json",
        moto_endpoint.trim_end_matches('/')
    );
    Ok(reqwest::get(&url).await?.error_for_status()?.json().await?)
}
