//! The server's address as a person types it: a full URL, or scheme + host + port.
//!
//! Pure parsing and normalising, no I/O: `check.rs` then asks the server itself.
//! Rules (also in the setup screen's hint):
//! - a full URL (`https://music.example.org`, `http://10.0.0.5:8080/tonearm`) means what it says,
//!   default ports included (80 for http, 443 for https);
//! - a bare host (`music.lan`, `music.lan:9000`, `[::1]`) is plain http, on Tonearm's own
//!   default port 8080 unless one is given;
//! - parts: an empty port means the scheme's default port.

use serde::{Deserialize, Serialize};
use url::Url;

/// The port `tonearm serve` listens on unless told otherwise.
pub const TONEARM_PORT: u16 = 8080;

/// What the setup screen sends: either a whole address or its parts.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AddressInput {
    Url { url: String },
    Parts { scheme: String, host: String, port: Option<String> },
}

/// A usable server address, normalised (no trailing slash, no query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerAddress {
    /// `scheme://host[:port][/path]`, what the app stores and puts before `/api/v1/...`.
    pub url: String,
    pub scheme: String,
    /// As typed for DNS: brackets removed from IPv6 literals.
    pub host: String,
    pub port: u16,
    /// A prefix the server lives under behind a proxy ("" or "/tonearm").
    pub path: String,
}

impl ServerAddress {
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    /// `host:port` for messages, with brackets around IPv6 literals.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Why an address cannot be used; `message` is a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressError {
    pub code: &'static str,
    pub message: String,
}

fn invalid(code: &'static str, message: impl Into<String>) -> AddressError {
    AddressError { code, message: message.into() }
}

pub fn parse_input(input: &AddressInput) -> Result<ServerAddress, AddressError> {
    match input {
        AddressInput::Url { url } => parse_address(url),
        AddressInput::Parts { scheme, host, port } => parse_parts(scheme, host, port.as_deref()),
    }
}

/// A full URL or a bare `host[:port]`.
pub fn parse_address(input: &str) -> Result<ServerAddress, AddressError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(invalid(
            "empty",
            "Enter the server's address, for example music.lan:8080 or https://music.example.org.",
        ));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(invalid("invalid_address", "A server address cannot contain spaces."));
    }
    match text.find("://") {
        Some(at) => {
            let scheme = text[..at].to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(invalid(
                    "unsupported_scheme",
                    format!("Tonearm speaks http:// or https://, not {scheme}://."),
                ));
            }
            from_url(text, None)
        }
        None => {
            let authority = text.split('/').next().unwrap_or("");
            let port = if explicit_port(authority).is_some() { None } else { Some(TONEARM_PORT) };
            from_url(&format!("http://{text}"), port)
        }
    }
}

/// Scheme, host and an optional port from three separate fields.
pub fn parse_parts(scheme: &str, host: &str, port: Option<&str>) -> Result<ServerAddress, AddressError> {
    let scheme = scheme.trim().to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(invalid("unsupported_scheme", "Choose http or https."));
    }
    let host = host.trim();
    if host.is_empty() {
        return Err(invalid("empty", "Enter the server's host name or IP address."));
    }
    if host.contains("://") || host.contains('/') {
        return Err(invalid("invalid_host", "Enter only the host name here (music.lan), or switch to a full URL."));
    }
    let bracketed = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_string() };
    let port = match port.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    let mut address = from_url(&format!("{scheme}://{bracketed}"), None)?;
    if let Some(port) = port {
        address.port = port;
        address.url = render(&address);
    }
    Ok(address)
}

fn parse_port(text: &str) -> Result<u16, AddressError> {
    match text.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(invalid("invalid_port", format!("The port must be a number from 1 to 65535, not {text}."))),
    }
}

/// The port written after the host, if any (`[::1]:9000` → 9000, `[::1]` → none).
fn explicit_port(authority: &str) -> Option<&str> {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let after_host = match authority.rfind(']') {
        Some(end) => &authority[end + 1..],
        None => authority,
    };
    after_host.rfind(':').map(|at| &after_host[at + 1..])
}

fn from_url(text: &str, default_port: Option<u16>) -> Result<ServerAddress, AddressError> {
    let authority = text.split_once("://").map(|(_, rest)| rest.split('/').next().unwrap_or("")).unwrap_or("");
    if let Some(port) = explicit_port(authority) {
        parse_port(port)?;
    }
    let url = Url::parse(text).map_err(|err| match err {
        url::ParseError::EmptyHost => invalid("empty", "Enter the server's host name or IP address."),
        url::ParseError::InvalidPort => invalid("invalid_port", "The port must be a number from 1 to 65535."),
        _ => invalid("invalid_address", format!("{text} is not a usable address ({err}).")),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "invalid_address",
            "Leave the user name and password out of the address: you sign in on the next screen.",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("invalid_address", "The address cannot have a ?query or #fragment."));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => return Err(invalid("empty", "Enter the server's host name or IP address.")),
    };
    let port = url.port().or(default_port).or_else(|| url.port_or_known_default()).unwrap_or(TONEARM_PORT);
    let path = url.path().trim_end_matches('/').to_string();
    if path.split('/').any(|segment| segment == "api") {
        return Err(invalid(
            "invalid_address",
            "Give the server's own address, without /api/… (for example http://music.lan:8080).",
        ));
    }
    let mut address = ServerAddress { url: String::new(), scheme: url.scheme().to_string(), host, port, path };
    address.url = render(&address);
    Ok(address)
}

fn render(address: &ServerAddress) -> String {
    let default = if address.is_https() { 443 } else { 80 };
    let host = if address.host.contains(':') { format!("[{}]", address.host) } else { address.host.clone() };
    let port = if address.port == default { String::new() } else { format!(":{}", address.port) };
    format!("{}://{}{}{}", address.scheme, host, port, address.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> ServerAddress {
        parse_address(input).unwrap_or_else(|e| panic!("{input}: {e:?}"))
    }

    fn err(input: &str) -> AddressError {
        parse_address(input).expect_err(input)
    }

    #[test]
    fn bare_hosts_are_http_on_tonearms_port() {
        let a = ok("music.lan");
        assert_eq!(
            (a.url.as_str(), a.scheme.as_str(), a.host.as_str(), a.port),
            ("http://music.lan:8080", "http", "music.lan", 8080)
        );
        assert_eq!(ok("  Music.LAN  ").url, "http://music.lan:8080");
        assert_eq!(ok("music.lan:9000").url, "http://music.lan:9000");
        assert_eq!(ok("music.lan:80").url, "http://music.lan", "an explicit :80 is kept, not replaced by 8080");
        assert_eq!(ok("10.0.0.5").url, "http://10.0.0.5:8080");
        assert_eq!(ok("music.lan/").url, "http://music.lan:8080");
    }

    #[test]
    fn ipv6_literals() {
        let a = ok("[::1]");
        assert_eq!((a.host.as_str(), a.port, a.url.as_str()), ("::1", 8080, "http://[::1]:8080"));
        assert_eq!(a.authority(), "[::1]:8080");
        assert_eq!(ok("[::1]:9000").port, 9000);
        assert_eq!(ok("https://[fe80::1]").url, "https://[fe80::1]");
    }

    #[test]
    fn full_urls_mean_what_they_say() {
        let a = ok("https://music.example.org/");
        assert_eq!((a.url.as_str(), a.port), ("https://music.example.org", 443));
        assert_eq!(ok("HTTP://music.lan").port, 80);
        assert_eq!(ok("http://music.lan:8080").url, "http://music.lan:8080");
        assert_eq!(ok("https://music.example.org:8443").url, "https://music.example.org:8443");
        let proxied = ok("https://example.org/tonearm/");
        assert_eq!((proxied.url.as_str(), proxied.path.as_str()), ("https://example.org/tonearm", "/tonearm"));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(err("").code, "empty");
        assert_eq!(err("   ").code, "empty");
        assert_eq!(err("ftp://music.lan").code, "unsupported_scheme");
        assert!(err("ftp://music.lan").message.contains("ftp://"));
        assert_eq!(err("music.lan:99999").code, "invalid_port");
        assert_eq!(err("music.lan:0").code, "invalid_port");
        assert_eq!(err("music.lan:http").code, "invalid_port");
        assert_eq!(err("http://").code, "empty");
        assert_eq!(err("music lan").code, "invalid_address");
        assert_eq!(err("http://bob:secret@music.lan").code, "invalid_address");
        assert!(err("http://bob:secret@music.lan").message.contains("sign in"));
        assert_eq!(err("http://music.lan/?x=1").code, "invalid_address");
        assert_eq!(err("http://music.lan:8080/api/v1").code, "invalid_address");
    }

    #[test]
    fn parts() {
        let a = parse_parts("https", "music.example.org", None).unwrap();
        assert_eq!((a.url.as_str(), a.port), ("https://music.example.org", 443));
        assert_eq!(parse_parts("http", "music.lan", Some("8080")).unwrap().url, "http://music.lan:8080");
        assert_eq!(parse_parts("HTTP", " music.lan ", Some(" ")).unwrap().url, "http://music.lan");
        assert_eq!(parse_parts("http", "::1", Some("9000")).unwrap().url, "http://[::1]:9000");
        assert_eq!(parse_parts("gopher", "music.lan", None).unwrap_err().code, "unsupported_scheme");
        assert_eq!(parse_parts("http", "", None).unwrap_err().code, "empty");
        assert_eq!(parse_parts("http", "http://music.lan", None).unwrap_err().code, "invalid_host");
        assert_eq!(parse_parts("http", "music.lan", Some("70000")).unwrap_err().code, "invalid_port");
        assert_eq!(parse_parts("http", "music.lan", Some("-1")).unwrap_err().code, "invalid_port");
    }

    #[test]
    fn input_forms_agree() {
        let url = parse_input(&AddressInput::Url { url: "http://music.lan:8080".into() }).unwrap();
        let parts = parse_input(&AddressInput::Parts {
            scheme: "http".into(),
            host: "music.lan".into(),
            port: Some("8080".into()),
        })
        .unwrap();
        assert_eq!(url, parts);
    }
}
