//! Who may do what. Every rule reads the caller from the event's identity, never from
//! arguments.

use crate::appsync::Caller;
use crate::error::{AppError, AppResult};

/// The caller's user id, or Unauthorized for API-key, IAM and Lambda-authorizer callers.
pub fn require_user(caller: &Caller) -> AppResult<&str> {
    caller.user_id().ok_or_else(|| {
        AppError::Unauthorized("this operation needs a signed-in user (Cognito user pool)".into())
    })
}

pub fn require_admin(caller: &Caller, what: &str) -> AppResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(AppError::Unauthorized(format!(
            "only members of the Admin group may {what}"
        )))
    }
}

/// The organiser of an event and admins manage it.
pub fn can_manage_event(caller: &Caller, owner_id: &str) -> bool {
    caller.is_admin() || caller.user_id() == Some(owner_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(sub: &str, groups: &[&str]) -> Caller {
        Caller::Cognito {
            sub: sub.into(),
            username: sub.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn organiser_and_admin_manage_an_event_others_do_not() {
        assert!(can_manage_event(&user("o", &[]), "o"));
        assert!(can_manage_event(&user("a", &["Admin"]), "o"));
        assert!(!can_manage_event(&user("x", &[]), "o"));
        assert!(!can_manage_event(&Caller::Anonymous, "o"));
    }

    #[test]
    fn anonymous_and_iam_are_not_users() {
        assert!(require_user(&Caller::Anonymous).is_err());
        assert!(require_user(&Caller::Iam {
            user_arn: "arn".into()
        })
        .is_err());
        assert_eq!(require_user(&user("u", &[])).unwrap(), "u");
    }
}
