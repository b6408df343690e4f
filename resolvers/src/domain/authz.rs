//! Who may do what: every authorization rule of the API, in one place. Every rule reads the
//! caller from the event's identity (`Caller`), never from arguments.

use super::caller::Caller;
use super::event::TicketDiff;
use crate::error::{AppError, AppResult};

/// The caller's user id, or Unauthorized for API-key, IAM and Lambda-authorizer callers.
pub fn require_user(caller: &Caller) -> AppResult<&str> {
    caller.user_id().ok_or_else(|| {
        AppError::Unauthorized("this operation needs a signed-in user (Cognito user pool)".into())
    })
}

/// Rooms are managed by admins only.
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

/// Deleting an event is its manager's.
pub fn require_event_manager(caller: &Caller, owner_id: &str) -> AppResult<()> {
    if can_manage_event(caller, owner_id) {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "only the organiser of this event or an admin may delete it".into(),
        ))
    }
}

/// Only a manager may change an event's fields (`changed` names them); anyone signed in may
/// send them back unchanged, as clients echo whole objects.
pub fn may_edit_event_fields(manages: bool, changed: &[&str]) -> AppResult<()> {
    if manages || changed.is_empty() {
        Ok(())
    } else {
        Err(AppError::Unauthorized(format!(
            "only the organiser or an admin may change {}; you may only book or cancel your own ticket",
            changed.join(", ")
        )))
    }
}

/// A manager may add or remove anyone's ticket; anyone else only their own.
pub fn may_change_tickets(user: &str, manages: bool, diff: &TicketDiff) -> AppResult<()> {
    if manages || diff.holders().all(|id| id == user) {
        Ok(())
    } else {
        Err(AppError::Unauthorized(
            "you may only add or remove your own ticket: send the tickets you were shown plus \
             (or minus) your own user id"
                .into(),
        ))
    }
}

/// Which of an event's ticket holders a caller is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketView<'a> {
    /// The organiser and admins: every holder.
    All,
    /// Any other user: their own ticket, if they hold one.
    Own(&'a str),
    /// The public: nobody.
    Nobody,
}

pub fn ticket_view<'a>(caller: &'a Caller, owner_id: &str) -> TicketView<'a> {
    match caller.user_id() {
        None => TicketView::Nobody,
        Some(_) if can_manage_event(caller, owner_id) => TicketView::All,
        Some(user) => TicketView::Own(user),
    }
}

/// The calorie tracker's data is its user's alone. The activity tracker app's client may name the user it
/// means; it must be the caller.
pub fn require_self<'a>(caller: &'a Caller, named: Option<&str>) -> AppResult<&'a str> {
    let user = require_user(caller)?;
    match named {
        Some(other) if other != user => Err(AppError::Unauthorized(
            "you may only read and change your own activities, profile and aggregates".into(),
        )),
        _ => Ok(user),
    }
}

/// A subscription to activity changes is allowed only on one's own user id: AppSync then
/// delivers only mutations whose result carries that `userid`.
pub fn may_subscribe(caller: &Caller, userid: Option<&str>) -> AppResult<()> {
    let user = require_user(caller)?;
    match userid {
        Some(u) if u == user => Ok(()),
        Some(_) => Err(AppError::Unauthorized(
            "you may only subscribe to your own activity changes".into(),
        )),
        None => Err(AppError::validation(
            "userid is required: subscribe with your own user id",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample::diff;

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
        assert!(require_event_manager(&user("o", &[]), "o").is_ok());
        let err = require_event_manager(&user("x", &[]), "o").unwrap_err();
        assert_eq!(err.error_type(), "Unauthorized");
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

    #[test]
    fn only_admins_manage_rooms() {
        assert!(require_admin(&user("a", &["Admin"]), "create rooms").is_ok());
        let err = require_admin(&user("u", &["admin"]), "create rooms").unwrap_err();
        assert_eq!(err.error_type(), "Unauthorized");
        assert!(err.to_string().contains("create rooms"), "{err}");
    }

    #[test]
    fn only_managers_change_fields_but_anyone_may_echo_them() {
        assert!(may_edit_event_fields(false, &[]).is_ok());
        assert!(may_edit_event_fields(true, &["name"]).is_ok());
        let err = may_edit_event_fields(false, &["name", "room_id"]).unwrap_err();
        assert_eq!(err.error_type(), "Unauthorized");
        assert!(err.to_string().contains("name, room_id"), "{err}");
    }

    /// Moved from `domain::event`'s diff test: the rule, not the diff, refuses another's id.
    #[test]
    fn a_user_changes_only_their_own_ticket_a_manager_anyones() {
        assert!(may_change_tickets("me", false, &diff(&["me"], &[])).is_ok());
        assert!(may_change_tickets("me", false, &diff(&[], &["me"])).is_ok());
        let err = may_change_tickets("me", false, &diff(&["me", "you"], &[])).unwrap_err();
        assert_eq!(err.error_type(), "Unauthorized");
        let err = may_change_tickets("me", false, &diff(&[], &["you"])).unwrap_err();
        assert_eq!(err.error_type(), "Unauthorized");
        assert!(may_change_tickets("org", true, &diff(&["c"], &["a"])).is_ok());
    }

    #[test]
    fn holders_are_shown_to_managers_a_user_sees_only_their_own() {
        assert_eq!(ticket_view(&user("o", &[]), "o"), TicketView::All);
        assert_eq!(ticket_view(&user("a", &["Admin"]), "o"), TicketView::All);
        assert_eq!(ticket_view(&user("x", &[]), "o"), TicketView::Own("x"));
        assert_eq!(ticket_view(&Caller::Anonymous, "o"), TicketView::Nobody);
    }

    #[test]
    fn calorie_data_is_the_callers_own() {
        let me = user("me", &[]);
        assert_eq!(require_self(&me, None).unwrap(), "me");
        assert_eq!(require_self(&me, Some("me")).unwrap(), "me");
        assert_eq!(
            require_self(&me, Some("you")).unwrap_err().error_type(),
            "Unauthorized"
        );
        let admin = user("root", &["Admin"]);
        assert_eq!(
            require_self(&admin, Some("me")).unwrap_err().error_type(),
            "Unauthorized",
            "not even an admin reads another user's calories"
        );
        assert!(may_subscribe(&me, Some("me")).is_ok());
        assert_eq!(
            may_subscribe(&me, Some("you")).unwrap_err().error_type(),
            "Unauthorized"
        );
        assert_eq!(
            may_subscribe(&me, None).unwrap_err().error_type(),
            "ValidationError"
        );
        assert_eq!(
            may_subscribe(&Caller::Anonymous, Some("me"))
                .unwrap_err()
                .error_type(),
            "Unauthorized"
        );
    }
}
