//! Who is calling, as far as the rules care. Read from the event's identity by
//! `appsync::identity`, never from arguments.

/// The Cognito group whose members administer rooms and every event.
pub const ADMIN_GROUP: &str = "Admin";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// API key (identity is null): public reads only.
    Anonymous,
    /// A Cognito user-pool user.
    Cognito {
        sub: String,
        username: String,
        groups: Vec<String>,
    },
    /// An OpenID Connect user: a user id, but no Cognito groups.
    Oidc { sub: String },
    /// An IAM principal (a backend job or a console user), not an app user.
    Iam { user_arn: String },
    /// A Lambda authorizer; its context is not trusted as a user identity.
    LambdaAuthorizer,
}

impl Caller {
    /// The user id that owns data (tickets, activities, events organised), if the caller is a user.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::Cognito { sub, .. } | Self::Oidc { sub } => Some(sub),
            _ => None,
        }
    }

    /// A human label for the caller (defaults an event's organiser name).
    pub fn display_name(&self) -> Option<&str> {
        match self {
            Self::Cognito { username, .. } => Some(username),
            Self::Oidc { sub } => Some(sub),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Cognito { groups, .. } if groups.iter().any(|g| g == ADMIN_GROUP))
    }
}
