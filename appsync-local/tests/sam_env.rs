//! `./dev sam-env` (issue 11 item 5): the env-vars file for `sam local invoke` names every
//! environment variable each function declares in template.yaml, with the running stack's
//! values; and SAM CLI's own code (the pinned one in `.venv`, `scripts/bootstrap lint`) gives
//! a function's container exactly those values from it. No Docker engine runs here, so the
//! container itself is not started.

use std::process::Command;

use serde_json::Value;
use testkit::template::Template;

/// What `appsync-local sam-env` prints for a stack of `prefix` on DynamoDB Local at 127.0.0.1:`port`.
fn sam_env(prefix: &str, port: u16, host: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_appsync-local"))
        .args([
            "sam-env",
            "--dynamodb",
            &format!("http://127.0.0.1:{port}"),
            "--prefix",
            prefix,
            "--host",
            host,
        ])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn the_file_names_every_variable_each_function_declares() {
    let template = Template::repository();
    let file = sam_env("dev", 5123, "host.docker.internal");
    assert_eq!(
        file.as_object().unwrap().len(),
        template.functions.len(),
        "one entry per function: {file}"
    );
    for f in &template.functions {
        let vars = file[&f.id]
            .as_object()
            .unwrap_or_else(|| panic!("{} missing", f.id));
        let declared: Vec<&str> = f.properties.variables().map(|(k, _)| k).collect();
        assert!(!declared.is_empty());
        for name in &declared {
            let value = vars
                .get(*name)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{}: {name} is not in the file", f.id));
            assert!(!value.is_empty(), "{}: {name} is empty", f.id);
        }
        assert_eq!(
            vars.len(),
            declared.len(),
            "{}: only what it declares (SAM CLI ignores the rest)",
            f.id
        );
        // The stack's values: its tables, its DynamoDB as a container reaches it.
        assert_eq!(vars["AWS_ENDPOINT_URL"], "http://host.docker.internal:5123");
        for (name, value) in vars {
            if name.ends_with("_TABLE") {
                let table = template.table_for_env(name).expect("a table").id.clone();
                assert_eq!(value.as_str().unwrap(), format!("dev-{table}"));
            }
        }
        assert_eq!(vars["POWERTOOLS_METRICS_NAMESPACE"], "dev");
    }
    assert_eq!(
        file["ResolversFunction"]["PAGE_TOKEN_SECRET"],
        appsync_local::functions::LOCAL_PAGE_TOKEN_SECRET
    );
    // Linux: the container shares the host's network (`--docker-network host`).
    let linux = sam_env("dev", 5123, "127.0.0.1");
    assert_eq!(
        linux["AggregatorFunction"]["AWS_ENDPOINT_URL"],
        "http://127.0.0.1:5123"
    );
}

/// SAM CLI's `sam local invoke` environment for each function, computed by its own code from
/// template.yaml and the file (`LocalLambdaRunner._make_env_vars`, what it hands Docker).
#[test]
fn sam_cli_gives_each_container_the_files_values() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let python = format!("{root}/.venv/bin/python");
    let has_sam = Command::new(&python)
        .args(["-c", "import samcli"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_sam,
        "SAM CLI is not in .venv: run scripts/bootstrap lint (scripts/test does)"
    );
    let file = sam_env("dev", 5123, "host.docker.internal");
    let path = std::env::temp_dir().join(format!("sam-env-{}.json", std::process::id()));
    std::fs::write(&path, file.to_string()).unwrap();
    let script = r#"
import json, sys, types
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
# Fn::ForEach read as samconfig.toml has `sam local invoke` read it.
stacks, _ = SamLocalStackProvider.get_stacks("template.yaml", language_extensions_enabled=True)
functions = SamFunctionProvider(stacks)
runner = types.SimpleNamespace(env_vars_values=json.load(open(sys.argv[1])),
                               get_aws_creds=lambda: {}, is_debugging=lambda: False)
out = {}
for f in functions.get_all():
    out[f.name] = LocalLambdaRunner._make_env_vars(runner, f).resolve()
print(json.dumps(out))
"#;
    let out = Command::new(&python)
        .current_dir(root)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("python runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let containers: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for (function, vars) in file.as_object().unwrap() {
        let env = &containers[function];
        assert!(env.is_object(), "SAM CLI knows {function}: {containers}");
        for (name, value) in vars.as_object().unwrap() {
            assert_eq!(&env[name], value, "{function}: {name} in the container");
        }
        // And what SAM CLI sets itself: the region the stack's tables are in.
        assert_eq!(env["AWS_REGION"], "us-east-1");
    }
}
