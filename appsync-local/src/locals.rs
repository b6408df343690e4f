//! CloudFormation values as the local stack evaluates them: literals, `!Ref` to a table (its
//! local name), pseudo-parameters (`AWS::StackName` is the stack's prefix, the region and
//! account are fixed local values) and `!Sub` over those. Anything else (a secret resolved at
//! deploy time, `!GetAtt`, `!If`) has no local value; callers decide what stands in.

use std::collections::BTreeMap;

use stack_template::{env_var_for, Expr};

/// The region every local client and token uses (moto's default, and the issuer's region).
pub const LOCAL_REGION: &str = "us-east-1";
/// moto's account id.
pub const LOCAL_ACCOUNT_ID: &str = "123456789012";

/// What a value may refer to locally.
#[derive(Debug, Clone, Copy)]
pub struct Locals<'a> {
    /// `AWS::StackName`: the stack's table prefix (`local` for `./dev up`).
    pub stack_name: &'a str,
    /// env var -> local table name, as `stack_template::tables` returns them.
    pub tables: &'a BTreeMap<String, String>,
}

impl Locals<'_> {
    /// The local value of a pseudo-parameter.
    pub fn pseudo(&self, name: &str) -> Option<String> {
        let value = match name {
            "AWS::StackName" => self.stack_name,
            "AWS::Region" => LOCAL_REGION,
            "AWS::AccountId" => LOCAL_ACCOUNT_ID,
            "AWS::Partition" => "aws",
            "AWS::URLSuffix" => "amazonaws.com",
            "AWS::StackId" => {
                return Some(format!(
                    "arn:aws:cloudformation:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:stack/{}/local",
                    self.stack_name
                ))
            }
            _ => return None,
        };
        Some(value.to_string())
    }

    /// `!Ref X`: a pseudo-parameter, or a table's local name.
    fn reference(&self, target: &str) -> Option<String> {
        self.pseudo(target)
            .or_else(|| self.tables.get(&env_var_for(target)).cloned())
    }

    /// The value of `expr`, if it has one locally.
    pub fn eval(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Literal(s) => Some(s.clone()),
            Expr::Ref(target) => self.reference(target),
            Expr::Sub(text) => self.substitute(text),
            _ => None,
        }
    }

    /// `!Sub` text whose every `${X}` has a local value (`${!X}` is a literal `${X}`).
    fn substitute(&self, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let name = &after[..end];
            match name.strip_prefix('!') {
                Some(literal) => {
                    out.push_str("${");
                    out.push_str(literal);
                    out.push('}');
                }
                None => out.push_str(&self.reference(name)?),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_parameters_tables_and_subs() {
        let tables = BTreeMap::from([("EVENTS_TABLE".to_string(), "dev-EventsTable".to_string())]);
        let l = Locals {
            stack_name: "dev",
            tables: &tables,
        };
        assert_eq!(l.eval(&Expr::Ref("AWS::StackName".into())).unwrap(), "dev");
        assert_eq!(
            l.eval(&Expr::Ref("EventsTable".into())).unwrap(),
            "dev-EventsTable"
        );
        assert_eq!(
            l.eval(&Expr::Sub("${AWS::StackName}-users".into()))
                .unwrap(),
            "dev-users"
        );
        assert_eq!(
            l.eval(&Expr::Sub(
                "arn:${AWS::Partition}:x:${AWS::Region}:${!Literal}".into()
            ))
            .unwrap(),
            "arn:aws:x:us-east-1:${Literal}"
        );
        // A secret resolved at deploy time, an unknown resource: no local value.
        assert!(l
            .eval(&Expr::Sub(
                "{{resolve:secretsmanager:${PageTokenSecret}:SecretString}}".into()
            ))
            .is_none());
        assert!(l.eval(&Expr::Ref("Nothing".into())).is_none());
        assert!(l
            .eval(&Expr::GetAtt("EventsTable".into(), "Arn".into()))
            .is_none());
    }
}
