//! `listTicketHolders`: the organiser and admins page through an event's holders,
//! every holder once across the event's holder shards, in bounded pages; nobody else may.

mod support;

use std::collections::BTreeSet;

use serde_json::json;
use support::{admin, anonymous, at, error_type, user};

#[tokio::test]
async fn the_organiser_and_admins_page_through_every_holder_once() {
    let env = support::empty().await;
    env.create_room("r", 1000).await;
    // 600 tickets: 3 counters, so holders sit in 3 shards of byEvent.
    env.create_event("org", "e", "r", &at(2, 10), 60, 600)
        .await
        .unwrap();
    assert_eq!(env.event("e").await["shards"], 3);
    let mut booked = BTreeSet::new();
    for i in 0..45 {
        let who = format!("buyer-{i:02}");
        env.mutate("bookTicket", json!({ "event_id": "e" }), user(&who))
            .await
            .unwrap();
        booked.insert(who);
    }
    for identity in [user("org"), admin()] {
        let (items, pages) = env
            .all_pages(
                "listTicketHolders",
                json!({ "event_id": "e", "limit": 10 }),
                identity,
            )
            .await;
        let ids: Vec<String> = items
            .iter()
            .map(|t| t["user_id"].as_str().unwrap().to_string())
            .collect();
        let distinct: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), distinct.len(), "each holder once: {ids:?}");
        assert_eq!(distinct, booked);
        assert!(
            (5..=6).contains(&pages),
            "45 holders in pages of 10: {pages}"
        );
        assert!(items.iter().all(|t| t["event_id"] == "e"));
        assert!(items.iter().all(|t| t["booked_at"].is_string()));
    }
}

#[tokio::test]
async fn nobody_else_lists_holders_and_tokens_stay_with_their_event() {
    let env = support::empty().await;
    env.create_room("r", 100).await;
    for id in ["e", "f"] {
        env.create_event(
            "org",
            id,
            "r",
            &at(2, if id == "e" { 10 } else { 14 }),
            60,
            10,
        )
        .await
        .unwrap();
        for who in ["a", "b", "c"] {
            env.mutate("bookTicket", json!({ "event_id": id }), user(who))
                .await
                .unwrap();
        }
    }
    let args = json!({ "event_id": "e" });
    assert_eq!(
        error_type(
            env.query("listTicketHolders", args.clone(), user("a"))
                .await
        ),
        "Unauthorized",
        "a holder who is not the organiser"
    );
    assert_eq!(
        error_type(
            env.query("listTicketHolders", args.clone(), anonymous())
                .await
        ),
        "Unauthorized"
    );
    assert_eq!(
        error_type(
            env.query("listTicketHolders", json!({ "event_id": "nope" }), admin())
                .await
        ),
        "NotFound"
    );
    assert_eq!(
        error_type(
            env.query(
                "listTicketHolders",
                json!({ "event_id": "e", "limit": 101 }),
                user("org")
            )
            .await
        ),
        "ValidationError"
    );
    let first = env
        .query(
            "listTicketHolders",
            json!({ "event_id": "e", "limit": 2 }),
            user("org"),
        )
        .await
        .unwrap();
    let token = first["nextToken"].as_str().expect("a second page");
    // A token of event e does not page event f.
    assert_eq!(
        error_type(
            env.query(
                "listTicketHolders",
                json!({ "event_id": "f", "nextToken": token }),
                user("org")
            )
            .await
        ),
        "BadRequest"
    );
}
