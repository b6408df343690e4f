//! GraphiQL's browser assets, read once at start from the `node_modules` of
//! `appsync-local/graphiql/` (pinned npm packages, `scripts/bootstrap graphiql`): only the
//! files listed here, never a path from the request.

use std::collections::HashMap;
use std::path::Path;

use axum::body::Bytes;

/// URL name -> (file under `node_modules`, content type).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "react.production.min.js",
        "react/umd/react.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "react-dom.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "graphiql.min.js",
        "graphiql/graphiql.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "graphiql.min.css",
        "graphiql/graphiql.min.css",
        "text/css; charset=utf-8",
    ),
];

/// The assets, loaded from a `node_modules` directory.
pub struct Assets {
    files: HashMap<&'static str, (Bytes, &'static str)>,
    /// What is missing, if anything (the page says how to install it).
    pub missing: Vec<String>,
}

impl Assets {
    pub fn load(node_modules: &Path) -> Self {
        let mut files = HashMap::new();
        let mut missing = Vec::new();
        for (name, file, content_type) in ASSETS {
            let path = node_modules.join(file);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    files.insert(*name, (Bytes::from(bytes), *content_type));
                }
                Err(_) => missing.push(path.display().to_string()),
            }
        }
        if !missing.is_empty() {
            tracing::warn!(
                missing = missing.len(),
                "GraphiQL's assets are not installed (scripts/bootstrap graphiql); the page will not load"
            );
        }
        Self { files, missing }
    }

    /// The file served as `/graphiql/<name>`, and its content type.
    pub fn get(&self, name: &str) -> Option<&(Bytes, &'static str)> {
        self.files.get(name)
    }

    /// The URL paths the page loads.
    pub fn paths() -> impl Iterator<Item = String> {
        ASSETS
            .iter()
            .map(|(name, _, _)| format!("/graphiql/{name}"))
    }
}
