//! Asking a server whether it is a Tonearm the app can use, before its address is saved.
//!
//! One `GET /healthz` over a plain socket (TLS through the system's library), step by step,
//! so that each way it can fail gets its own sentence: no such host, nothing on that port,
//! no answer, a TLS problem (or http/https mixed up), not HTTP, not Tonearm, too old, or a
//! Tonearm that does not accept the app's origin. A browser's fetch() would only say
//! "failed", which is why this runs in the app rather than in the page.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::address::ServerAddress;

/// The oldest server this app works with: media tokens and CORS arrived in 0.1.0.
pub const MIN_SERVER_VERSION: (u64, u64, u64) = (0, 1, 0);
const MAX_RESPONSE: usize = 256 * 1024;

pub struct CheckOptions {
    /// For each of connecting, the TLS handshake and the answer.
    pub timeout: Duration,
    /// The app's own origin, which the server must allow (CORS).
    pub origin: String,
    /// Extra trusted certificates (PEM), for tests with a self-made certificate authority.
    pub extra_roots: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServerInfo {
    pub url: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckError {
    pub code: &'static str,
    pub message: String,
}

fn fail(code: &'static str, message: impl Into<String>) -> CheckError {
    CheckError { code, message: message.into() }
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// Everything from DNS to the JSON of /healthz. Blocking: run it off the UI thread.
pub fn check(address: &ServerAddress, options: &CheckOptions) -> Result<ServerInfo, CheckError> {
    let tcp = connect(address, options.timeout)?;
    let mut stream: Box<dyn Stream> =
        if address.is_https() { Box::new(handshake(address, tcp, options)?) } else { Box::new(tcp) };
    let path = format!("{}/healthz", address.path);
    let raw = exchange(stream.as_mut(), address, &path, &options.origin).map_err(|err| {
        if is_timeout(&err) {
            fail(
                "no_answer",
                format!(
                    "{} accepted the connection but did not answer within {} seconds. Is this the right port?",
                    address.authority(),
                    options.timeout.as_secs().max(1)
                ),
            )
        } else {
            fail("no_answer", format!("{} closed the connection without answering ({err}).", address.authority()))
        }
    })?;
    judge(address, &raw, &options.origin)
}

fn connect(address: &ServerAddress, timeout: Duration) -> Result<TcpStream, CheckError> {
    let host = &address.host;
    let targets: Vec<SocketAddr> = match (host.as_str(), address.port).to_socket_addrs() {
        Ok(found) => found.collect(),
        Err(_) => Vec::new(),
    };
    if targets.is_empty() {
        return Err(host_not_found(host));
    }
    let mut last: Option<io::Error> = None;
    for target in &targets {
        match TcpStream::connect_timeout(target, timeout) {
            Ok(stream) => {
                stream.set_read_timeout(Some(timeout)).ok();
                stream.set_write_timeout(Some(timeout)).ok();
                return Ok(stream);
            }
            Err(err) => last = Some(err),
        }
    }
    Err(connect_error(address, last.expect("at least one address was tried"), timeout))
}

pub fn host_not_found(host: &str) -> CheckError {
    fail("host_not_found", format!("No computer called {host} was found. Check the spelling, or use its IP address."))
}

/// A failed connect, in words: refused means the host is there but the port is wrong.
pub fn connect_error(address: &ServerAddress, err: io::Error, timeout: Duration) -> CheckError {
    let (host, port) = (&address.host, address.port);
    match err.kind() {
        ErrorKind::ConnectionRefused => fail(
            "connection_refused",
            format!(
                "{host} is there, but nothing is listening on port {port}. Is Tonearm running, and is {port} its port (8080 unless it was changed)?"
            ),
        ),
        ErrorKind::TimedOut | ErrorKind::WouldBlock => fail(
            "unreachable",
            format!(
                "{host} did not answer on port {port} within {} seconds. Is it switched on and on this network, and does its firewall let port {port} through?",
                timeout.as_secs().max(1)
            ),
        ),
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => fail(
            "unreachable",
            format!("{host} cannot be reached from this computer ({err}). Check the network, or the address."),
        ),
        _ => fail("unreachable", format!("Cannot connect to {}: {err}.", address.authority())),
    }
}

fn handshake(
    address: &ServerAddress,
    tcp: TcpStream,
    options: &CheckOptions,
) -> Result<native_tls::TlsStream<TcpStream>, CheckError> {
    let mut builder = native_tls::TlsConnector::builder();
    for pem in &options.extra_roots {
        if let Ok(cert) = native_tls::Certificate::from_pem(pem) {
            builder.add_root_certificate(cert);
        }
    }
    let connector = builder
        .build()
        .map_err(|err| fail("tls_error", format!("This computer cannot make secure connections ({err}).")))?;
    match connector.connect(&address.host, tcp) {
        Ok(stream) => Ok(stream),
        Err(native_tls::HandshakeError::WouldBlock(_)) => Err(fail(
            "tls_error",
            format!(
                "{} did not finish the secure (TLS) handshake in time. Does it speak https on port {}?",
                address.authority(),
                address.port
            ),
        )),
        Err(native_tls::HandshakeError::Failure(err)) => Err(tls_failure(address, &err.to_string(), options.timeout)),
    }
}

/// A failed handshake: a plain-HTTP port asked for https, or a certificate problem.
fn tls_failure(address: &ServerAddress, detail: &str, timeout: Duration) -> CheckError {
    if speaks_plain_http(address, timeout) {
        let url = address.url.replacen("https://", "http://", 1);
        return fail(
            "tls_not_offered",
            format!("{} speaks plain http, not https. Use {url} instead.", address.authority()),
        );
    }
    let lower = detail.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("self signed") || lower.contains("self-signed") {
        fail(
            "tls_certificate",
            format!(
                "The secure connection to {} failed: its certificate is not trusted by this computer ({detail}). Use a certificate from a public authority, or add yours to the system's trusted certificates.",
                address.host
            ),
        )
    } else {
        fail("tls_error", format!("The secure connection to {} failed ({detail}).", address.authority()))
    }
}

fn speaks_plain_http(address: &ServerAddress, timeout: Duration) -> bool {
    let Ok(mut tcp) = connect(address, timeout) else { return false };
    match exchange(&mut tcp, address, &format!("{}/healthz", address.path), "") {
        Ok(raw) => raw.starts_with(b"HTTP/"),
        Err(_) => false,
    }
}

fn exchange(stream: &mut dyn Stream, address: &ServerAddress, path: &str, origin: &str) -> io::Result<Vec<u8>> {
    let default = if address.is_https() { 443 } else { 80 };
    let host = if address.port == default {
        address.authority().rsplit_once(':').unwrap().0.to_string()
    } else {
        address.authority()
    };
    let origin = if origin.is_empty() { String::new() } else { format!("Origin: {origin}\r\n") };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nUser-Agent: Tonearm-desktop/{}\r\n{origin}Connection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream.write_all(request.as_bytes())?;
    stream.flush()?;
    read_response(stream)
}

/// Up to the end of the body (Content-Length, chunked, or the connection closing).
fn read_response(stream: &mut dyn Stream) -> io::Result<Vec<u8>> {
    let started = Instant::now();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            // A TLS peer that closes without close_notify: what we have is the answer.
            Err(err) if err.kind() == ErrorKind::UnexpectedEof || err.kind() == ErrorKind::ConnectionReset => 0,
            Err(err) => {
                if raw.is_empty() {
                    return Err(err);
                }
                0
            }
        };
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if raw.len() > MAX_RESPONSE || complete(&raw) || started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    if raw.is_empty() {
        return Err(io::Error::new(ErrorKind::UnexpectedEof, "no bytes at all"));
    }
    Ok(raw)
}

fn complete(raw: &[u8]) -> bool {
    let Some(end) = find(raw, b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if let Some(length) = header_in(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        return body.len() >= length;
    }
    if header_in(&head, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        return find(body, b"0\r\n\r\n").is_some();
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn header_in(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim().eq_ignore_ascii_case(name)).then(|| value.trim().to_string())
    })
}

fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(line_end) = find(rest, b"\r\n") {
        let size = std::str::from_utf8(&rest[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
        let Some(size) = size else { break };
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = (start + size).min(rest.len());
        out.extend_from_slice(&rest[start..end]);
        rest = &rest[(end + 2).min(rest.len())..];
    }
    out
}

/// What the answer says about the server.
fn judge(address: &ServerAddress, raw: &[u8], origin: &str) -> Result<ServerInfo, CheckError> {
    let authority = address.authority();
    // A TLS record (alert 0x15, handshake 0x16) in answer to plain text: the port wants https.
    if !address.is_https() && matches!(raw.first(), Some(0x15 | 0x16)) {
        return Err(https_wanted(address));
    }
    let Some(end) = find(raw, b"\r\n\r\n").filter(|_| raw.starts_with(b"HTTP/1.")) else {
        return Err(fail(
            "not_http",
            format!("Something is listening on {authority}, but it does not speak HTTP. Is this the right port?"),
        ));
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut body = raw[end + 4..].to_vec();
    if header_in(&head, "transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        body = dechunk(&body);
    }
    let text = String::from_utf8_lossy(&body);
    if (300..400).contains(&status) {
        if let Some(location) = header_in(&head, "location") {
            let target = location.trim_end_matches("/healthz").trim_end_matches('/');
            return Err(fail(
                "redirected",
                format!("{authority} sends the app on to {target}. Use that address instead."),
            ));
        }
    }
    if status == 400 && text.contains("plain HTTP request was sent to HTTPS port") {
        return Err(https_wanted(address));
    }
    let not_tonearm = || {
        fail(
            "not_tonearm",
            format!(
                "{authority} answered, but it is not a Tonearm server (HTTP {status} for /healthz). Check the port: Tonearm listens on 8080 unless it was changed."
            ),
        )
    };
    if status != 200 {
        return Err(not_tonearm());
    }
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|_| not_tonearm())?;
    let version = match (json.get("status").and_then(|v| v.as_str()), json.get("version").and_then(|v| v.as_str())) {
        (Some("ok"), Some(version)) => version.to_string(),
        _ => return Err(not_tonearm()),
    };
    match parse_version(&version) {
        Some(found) if found >= MIN_SERVER_VERSION => {}
        _ => {
            let (a, b, c) = MIN_SERVER_VERSION;
            return Err(fail(
                "server_too_old",
                format!("This Tonearm server is version {version}; the desktop app needs {a}.{b}.{c} or newer. Update the server first."),
            ));
        }
    }
    if !origin.is_empty() {
        let allowed = header_in(&head, "access-control-allow-origin").unwrap_or_default();
        if allowed != origin && allowed != "*" {
            return Err(fail(
                "origin_not_allowed",
                format!(
                    "This is Tonearm {version}, but it does not accept the desktop app: add {origin} to the server's cors_origins setting (TONEARM_CORS_ORIGINS) and restart it."
                ),
            ));
        }
    }
    Ok(ServerInfo { url: address.url.clone(), version })
}

fn https_wanted(address: &ServerAddress) -> CheckError {
    let url = address.url.replacen("http://", "https://", 1);
    fail("tls_required", format!("{} speaks https, not plain http. Use {url} instead.", address.authority()))
}

/// `major.minor.patch` (anything after a `-` or `+` ignored); None if it is not a version.
pub fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let core = text.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::parse_address;
    use std::net::TcpListener;
    use std::thread;

    const ORIGIN: &str = "tauri://localhost";

    fn options() -> CheckOptions {
        CheckOptions { timeout: Duration::from_millis(1500), origin: ORIGIN.into(), extra_roots: vec![] }
    }

    /// A one-shot server on a free loopback port answering every connection with `answer`
    /// (None: accept and say nothing). Returns its port.
    fn serve(answer: Option<Vec<u8>>, connections: usize) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            for _ in 0..connections {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                match &answer {
                    Some(bytes) => {
                        let _ = stream.write_all(bytes);
                    }
                    None => thread::sleep(Duration::from_secs(3)),
                }
            }
        });
        port
    }

    fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n{headers}\r\n{body}", body.len()).into_bytes()
    }

    fn healthz(version: &str, allow: &str) -> Vec<u8> {
        let body = format!(r#"{{"status": "ok", "version": "{version}"}}"#);
        http("200 OK", &format!("Content-Type: application/json\r\nAccess-Control-Allow-Origin: {allow}\r\n"), &body)
    }

    fn run(url: &str) -> Result<ServerInfo, CheckError> {
        check(&parse_address(url).unwrap(), &options())
    }

    #[test]
    fn a_tonearm_that_allows_the_app() {
        let port = serve(Some(healthz("0.1.0", ORIGIN)), 1);
        let info = run(&format!("http://127.0.0.1:{port}")).unwrap();
        assert_eq!(info, ServerInfo { url: format!("http://127.0.0.1:{port}"), version: "0.1.0".into() });
    }

    #[test]
    fn chunked_answers_and_wildcard_origins() {
        let body = r#"{"status":"ok","version":"1.2.3"}"#;
        let raw = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nAccess-Control-Allow-Origin: *\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
            body.len(),
            body
        );
        let port = serve(Some(raw.into_bytes()), 1);
        assert_eq!(run(&format!("127.0.0.1:{port}")).unwrap().version, "1.2.3");
    }

    #[test]
    fn nothing_listening_is_a_wrong_port() {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "connection_refused");
        assert!(err.message.contains(&format!("nothing is listening on port {port}")), "{}", err.message);
    }

    #[test]
    fn a_silent_server() {
        let port = serve(None, 1);
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "no_answer");
        assert!(err.message.contains("did not answer"), "{}", err.message);
    }

    #[test]
    fn something_that_is_not_http() {
        let port = serve(Some(b"SSH-2.0-OpenSSH_9.2\r\n".to_vec()), 1);
        assert_eq!(run(&format!("127.0.0.1:{port}")).unwrap_err().code, "not_http");
    }

    #[test]
    fn another_web_server() {
        let port = serve(Some(http("404 Not Found", "Content-Type: text/html\r\n", "<h1>nginx</h1>")), 1);
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "not_tonearm");
        assert!(err.message.contains("HTTP 404"), "{}", err.message);
        let port = serve(Some(http("200 OK", "", r#"{"status":"healthy"}"#)), 1);
        assert_eq!(run(&format!("127.0.0.1:{port}")).unwrap_err().code, "not_tonearm");
    }

    #[test]
    fn a_tonearm_that_does_not_allow_the_app() {
        let port = serve(Some(healthz("0.1.0", "http://elsewhere.example")), 1);
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "origin_not_allowed");
        assert!(err.message.contains("cors_origins") && err.message.contains(ORIGIN), "{}", err.message);
    }

    #[test]
    fn an_old_tonearm() {
        let port = serve(Some(healthz("0.0.9", ORIGIN)), 1);
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "server_too_old");
        assert!(err.message.contains("0.0.9") && err.message.contains("0.1.0"), "{}", err.message);
    }

    #[test]
    fn a_redirect_names_the_new_address() {
        let port = serve(Some(http("301 Moved Permanently", "Location: https://music.example.org/healthz\r\n", "")), 1);
        let err = run(&format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "redirected");
        assert!(err.message.contains("https://music.example.org."), "{}", err.message);
    }

    #[test]
    fn http_to_a_tls_port() {
        // What a TLS server sends to a plain-text client: an alert record.
        let port = serve(Some(vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]), 1);
        let err = run(&format!("http://127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "tls_required");
        assert!(err.message.contains(&format!("https://127.0.0.1:{port}")), "{}", err.message);
        let nginx = http("400 Bad Request", "", "The plain HTTP request was sent to HTTPS port");
        let port = serve(Some(nginx), 1);
        assert_eq!(run(&format!("http://127.0.0.1:{port}")).unwrap_err().code, "tls_required");
    }

    #[test]
    fn https_to_a_plain_port() {
        // The handshake fails on the HTTP answer; a second, plain request shows it is HTTP.
        let port = serve(Some(http("400 Bad Request", "", "")), 2);
        let err = run(&format!("https://127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.code, "tls_not_offered");
        assert!(err.message.contains(&format!("http://127.0.0.1:{port}")), "{}", err.message);
    }

    /// A self-signed certificate made by the openssl command, as a self-hosted server might have.
    fn self_signed() -> Option<(Vec<u8>, Vec<u8>)> {
        let dir = std::env::temp_dir().join(format!("tonearm-tls-{}-{:?}", std::process::id(), thread::current().id()));
        std::fs::create_dir_all(&dir).ok()?;
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let status = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| (std::fs::read(&cert).unwrap(), std::fs::read(&key).unwrap()))
    }

    fn serve_tls(cert: &[u8], key: &[u8], answer: Vec<u8>) -> u16 {
        let identity = native_tls::Identity::from_pkcs8(cert, key).unwrap();
        let acceptor = native_tls::TlsAcceptor::new(identity).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            // Untrusted: the handshake, then the plain-HTTP probe; trusted: the check.
            for _ in 0..3 {
                let Ok((stream, _)) = listener.accept() else { return };
                if let Ok(mut tls) = acceptor.accept(stream) {
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf);
                    let _ = tls.write_all(&answer);
                    let _ = tls.shutdown();
                }
            }
        });
        port
    }

    #[test]
    fn tls_certificates() {
        let (cert, key) = self_signed().expect("the openssl command makes a test certificate");
        let port = serve_tls(&cert, &key, healthz("0.1.0", ORIGIN));
        let address = parse_address(&format!("https://127.0.0.1:{port}")).unwrap();
        let err = check(&address, &options()).unwrap_err();
        assert_eq!(err.code, "tls_certificate", "{}", err.message);
        assert!(err.message.contains("not trusted"), "{}", err.message);
        // The same server, once its certificate is trusted, passes.
        let trusted = CheckOptions { extra_roots: vec![cert.clone()], ..options() };
        assert_eq!(check(&address, &trusted).unwrap().version, "0.1.0");
    }

    #[test]
    fn connect_errors_in_words() {
        let address = parse_address("music.lan").unwrap();
        let timeout = Duration::from_secs(5);
        let err = connect_error(&address, io::Error::from(ErrorKind::TimedOut), timeout);
        assert_eq!(err.code, "unreachable");
        assert!(err.message.contains("within 5 seconds") && err.message.contains("firewall"), "{}", err.message);
        let err = connect_error(&address, io::Error::from(ErrorKind::HostUnreachable), timeout);
        assert_eq!(err.code, "unreachable");
        let err = connect_error(&address, io::Error::from(ErrorKind::ConnectionRefused), timeout);
        assert!(err.message.contains("port 8080"), "{}", err.message);
    }

    #[test]
    fn unknown_hosts() {
        // Not resolved for real: a test must not send DNS queries off this machine.
        let err = host_not_found("tonearm.invalid");
        assert_eq!(err.code, "host_not_found");
        assert!(err.message.contains("No computer called tonearm.invalid"), "{}", err.message);
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("0.1.0"), Some((0, 1, 0)));
        assert_eq!(parse_version("1.2"), Some((1, 2, 0)));
        assert_eq!(parse_version("2.0.0-rc.1"), Some((2, 0, 0)));
        assert_eq!(parse_version("0.1.0+git.abc"), Some((0, 1, 0)));
        assert_eq!(parse_version("latest"), None);
        assert_eq!(parse_version(""), None);
    }
}
