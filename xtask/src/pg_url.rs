//! Postgres connection URLs: recognising one, printing it without its password, and
//! pointing it at another database.

/// The URL used when `DATABASE_URL` names no Postgres: the local cluster's superuser.
pub(crate) const LOCAL_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Whether `url` is a Postgres URL (`postgres://` or `postgresql://`).
pub(crate) fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A URL cut into `scheme://`, authority (`user:password@host:port`), path (`/db`,
/// possibly empty) and the rest (`?query#fragment`, possibly empty).
struct Parts<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    rest: &'a str,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let start = url.find("://")? + 3;
    let (scheme, after) = url.split_at(start);
    let rest_at = after.find(['?', '#']).unwrap_or(after.len());
    let (before_rest, rest) = after.split_at(rest_at);
    let path_at = before_rest.find('/').unwrap_or(before_rest.len());
    let (authority, path) = before_rest.split_at(path_at);
    Some(Parts {
        scheme,
        authority,
        path,
        rest,
    })
}

/// `url` fit to print: the password in the user part and any `password=` parameter are
/// replaced by `***`. Something that is not a URL is not printed at all.
pub(crate) fn redacted(url: &str) -> String {
    let Some(parts) = split(url) else {
        return "(not a URL)".to_owned();
    };
    let authority = match parts.authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => parts.authority.to_owned(),
        },
        None => parts.authority.to_owned(),
    };
    let rest = match parts.rest.strip_prefix('?') {
        Some(query) => {
            let (query, fragment) = query.split_once('#').map_or((query, ""), |(q, f)| (q, f));
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => param.to_owned(),
                })
                .collect();
            let fragment = if fragment.is_empty() {
                String::new()
            } else {
                format!("#{fragment}")
            };
            format!("?{}{fragment}", params.join("&"))
        }
        None => parts.rest.to_owned(),
    };
    format!("{}{authority}{}{rest}", parts.scheme, parts.path)
}

/// `url` with its database replaced by `database`, credentials and parameters kept.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    match split(url) {
        Some(parts) => format!(
            "{}{}/{database}{}",
            parts.scheme, parts.authority, parts.rest
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_are_recognised_and_others_are_not() {
        assert!(is_postgres("postgres://u@h/db"));
        assert!(is_postgres("postgresql://u@h/db"));
        assert!(!is_postgres("sqlite://target/lifecycle.db"));
        assert!(!is_postgres("mysql://u@h/db"));
    }

    #[test]
    fn the_password_is_redacted_and_the_rest_kept() {
        assert_eq!(
            redacted("postgres://shop:s3cret@db.example:5433/shop?sslmode=require"),
            "postgres://shop:***@db.example:5433/shop?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://shop@h/db?sslmode=disable&password=s3cret"),
            "postgres://shop@h/db?sslmode=disable&password=***"
        );
        assert_eq!(redacted(LOCAL_DEFAULT), LOCAL_DEFAULT);
        assert_eq!(redacted("no url here s3cret"), "(not a URL)");
    }

    #[test]
    fn a_password_with_an_at_sign_is_redacted_whole() {
        let shown = redacted("postgres://u:p@ss@h:5432/db");
        assert_eq!(shown, "postgres://u:***@h:5432/db");
        assert!(!shown.contains("ss"));
    }

    #[test]
    fn another_database_replaces_the_path_only() {
        assert_eq!(
            with_database(
                "postgres://u:pw@h:5432/postgres?sslmode=disable",
                "commerce_bench"
            ),
            "postgres://u:pw@h:5432/commerce_bench?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h", "commerce_bench"),
            "postgres://u@h/commerce_bench"
        );
    }
}
