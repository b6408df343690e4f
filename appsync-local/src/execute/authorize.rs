//! Field-level authorization from the `@aws_*` directives, as AppSync applies it for an API
//! whose default mode is Cognito user pools with API_KEY as an additional mode: the field's
//! own directives win over its type's; with none on either, only the default mode may.

use apollo_compiler::ast;

use crate::caller::AuthMode;

/// One AWS auth directive: its name and, if given, `cognito_groups`.
pub type Rule = (String, Option<Vec<String>>);

/// The AWS auth directives in a list.
pub fn rules<'x>(directives: impl IntoIterator<Item = &'x ast::Directive>) -> Vec<Rule> {
    directives
        .into_iter()
        .filter(|d| {
            matches!(
                d.name.as_str(),
                "aws_api_key"
                    | "aws_cognito_user_pools"
                    | "aws_auth"
                    | "aws_iam"
                    | "aws_oidc"
                    | "aws_lambda"
            )
        })
        .map(|d| {
            let groups = d
                .specified_argument_by_name("cognito_groups")
                .and_then(|v| match v.as_ref() {
                    ast::Value::List(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect(),
                    ),
                    ast::Value::String(s) => Some(vec![s.clone()]),
                    _ => None,
                });
            (d.name.to_string(), groups)
        })
        .collect()
}

/// Whether a caller in `mode` may resolve a field with these rules on the field and its type.
pub fn allowed(mode: &AuthMode, field_rules: &[Rule], type_rules: &[Rule]) -> bool {
    let rules = if !field_rules.is_empty() {
        field_rules
    } else {
        type_rules
    };
    if rules.is_empty() {
        return matches!(mode, AuthMode::CognitoUserPools { .. });
    }
    rules
        .iter()
        .any(|(name, groups)| match (mode, name.as_str()) {
            (AuthMode::ApiKey, "aws_api_key") => true,
            (
                AuthMode::CognitoUserPools { groups: mine },
                "aws_cognito_user_pools" | "aws_auth",
            ) => match groups {
                Some(wanted) => wanted.iter().any(|g| mine.contains(g)),
                None => true,
            },
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_decide_per_field() {
        let key = AuthMode::ApiKey;
        let user = AuthMode::CognitoUserPools { groups: vec![] };
        let admin = AuthMode::CognitoUserPools {
            groups: vec!["Admin".into()],
        };
        let d = |n: &str| (n.to_string(), None);
        // No directives anywhere: the default mode only.
        assert!(allowed(&user, &[], &[]));
        assert!(!allowed(&key, &[], &[]));
        // Type directives apply when the field has none.
        let public = [d("aws_api_key"), d("aws_cognito_user_pools")];
        assert!(allowed(&key, &[], &public));
        // The field's own directives win over the type's.
        assert!(!allowed(&key, &[d("aws_cognito_user_pools")], &public));
        assert!(!allowed(&user, &[d("aws_api_key")], &[]));
        let admins = [(
            "aws_cognito_user_pools".to_string(),
            Some(vec!["Admin".to_string()]),
        )];
        assert!(allowed(&admin, &admins, &[]));
        assert!(!allowed(&user, &admins, &[]));
    }
}
