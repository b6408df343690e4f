//! GraphiQL served by the stack itself: the page and every asset it loads
//! come from the endpoint (the pinned npm packages of `appsync-local/graphiql/`, installed by
//! `scripts/bootstrap graphiql`), nothing from another host, so it works without internet.

mod support;

use support::{claims_of, stack};

/// The values of `attr="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_every_asset_it_loads_come_from_the_stack() {
    let stack = stack(false).await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", stack.addr);
    let page = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("://"),
        "no absolute URL, no CDN, in the page:\n{html}"
    );

    let mut loaded = attribute_values(&html, "src");
    loaded.extend(attribute_values(&html, "href"));
    assert_eq!(
        loaded.len(),
        4,
        "React, ReactDOM, GraphiQL and its CSS: {loaded:?}"
    );
    for path in &loaded {
        assert!(path.starts_with("/graphiql/"), "{path}");
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}: run scripts/bootstrap graphiql");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
        let body = r.text().await.unwrap();
        assert!(body.len() > 5_000, "{path}: {} bytes", body.len());
        if path.ends_with(".css") {
            assert!(
                content_type.starts_with("text/css"),
                "{path}: {content_type}"
            );
            // Fonts and images are inline: the stylesheet loads nothing else.
            for (i, _) in body.match_indices("url(") {
                let target = body[i + 4..].trim_start_matches(['"', '\'']);
                assert!(
                    target.starts_with("data:"),
                    "{path} loads {}",
                    &target[..40.min(target.len())]
                );
            }
        } else {
            assert!(
                content_type.starts_with("text/javascript"),
                "{path}: {content_type}"
            );
        }
    }
    // Exactly the assets the server lists (the stylesheet, an href, is gathered last).
    let mut expected: Vec<String> = appsync_local::http::assets::Assets::paths().collect();
    let mut got: Vec<String> = loaded.iter().map(|p| p.to_string()).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);

    // A first query needs a token: alice's, from the stack's user pool, is filled in.
    let start = html.find("defaultHeaders: ").expect("default headers") + "defaultHeaders: ".len();
    let headers: String =
        serde_json::from_str(html[start..].split(",\n").next().unwrap().trim()).unwrap();
    let headers: serde_json::Value = serde_json::from_str(&headers).unwrap();
    let token = headers["Authorization"].as_str().unwrap();
    assert_eq!(claims_of(token)["username"], "alice");

    // Only the listed files: anything else under /graphiql/ is a 404.
    for other in [
        "graphiql.js",
        "..%2F..%2FCargo.toml",
        "react.development.js",
    ] {
        let r = http
            .get(format!("{base}/graphiql/{other}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{other}");
    }
    stack.stop().await;
}
