//! What a Connect server says about itself: its version (`GET /server_settings`) and who the
//! API key belongs to (`GET /v1/user`), read once per provider process and checked at configure.

use std::fmt;

use reqwest::Method;
use serde::Deserialize;

use super::Client;
use crate::connect::Error;

/// A Connect version, `YEAR.MONTH.PATCH` (`2025.07.0`). Compared by its numbers; whatever follows
/// them (`-dev+123`, ` (build)`) is kept for display only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    numbers: (u32, u32, u32),
    text: String,
}

impl Version {
    /// The first Connect with the OAuth integrations API (connectapi refuses older servers).
    pub const OAUTH_API: (u32, u32, u32) = (2024, 12, 0);
    /// The first Connect that takes more than one OAuth integration per content item
    /// (posit-sdk-py skips its several-associations test below it).
    pub const SEVERAL_ASSOCIATIONS: (u32, u32, u32) = (2025, 7, 0);

    /// Reads `2024.12.0`, `2025.07.1-dev+42`, `v2025.09.0`; `None` for text without at least a
    /// year and a month.
    pub fn parse(raw: &str) -> Option<Version> {
        let text = raw.trim();
        let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let mut parts = digits.splitn(3, '.');
        let mut number = |required: bool| -> Option<u32> {
            match parts.next() {
                Some(p) => {
                    let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
                    p[..end].parse().ok()
                }
                None if required => None,
                None => Some(0),
            }
        };
        let numbers = (number(true)?, number(true)?, number(false).unwrap_or(0));
        Some(Version { numbers, text: text.to_string() })
    }

    /// Whether this version is at least `min` (`(year, month, patch)`).
    pub fn at_least(&self, min: (u32, u32, u32)) -> bool {
        self.numbers >= min
    }

    /// `(2025, 7, 0)` as Connect writes it: `2025.07.0`.
    pub fn name(v: (u32, u32, u32)) -> String {
        format!("{}.{:02}.{}", v.0, v.1, v.2)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What configure learned about the server.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerInfo {
    /// The `version` field of `server_settings`, as written (`None` when absent: some servers
    /// hide it from anonymous callers).
    pub version_text: Option<String>,
    /// `version_text` parsed; `None` when absent or not a version.
    pub version: Option<Version>,
    /// The key's user's role (`administrator`, `publisher`, `viewer`), when `/v1/user` says.
    pub user_role: Option<String>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    user_role: Option<String>,
}

impl Client {
    /// `GET /server_settings`: the server's version and features, as raw JSON since its shape
    /// varies across versions. Also a cheap check that URL and key work.
    pub async fn server_settings(&self) -> Result<serde_json::Value, Error> {
        let url = self.endpoint(&["server_settings"]);
        self.send(Method::GET, url, None).await?.json()
    }

    /// `GET /server_settings` and `GET /v1/user`, sent together: the server's version and the
    /// key's user, each tried once over the network (a refused connection or an unresolved name
    /// is reported at once, not retried; 429 and 503 answers are retried as usual).
    ///
    /// Both calls, because `server_settings` is open on Connect (its clients probe servers with
    /// it before they have a key), so its answer proves only that the URL reaches a Connect; a
    /// wrong key shows only on a call that needs one. `/v1/user` is the cheapest such call
    /// (posit-sdk-py's `client.me`; rsconnect-python checks keys the same way after probing
    /// `server_settings`), and its `user_role` says whether the key can manage integrations.
    ///
    /// Neither depends on the other, so they share one round trip. The errors are reported as if
    /// they had been sent one after the other: a failed `server_settings` is the error (the URL
    /// is wrong, whatever the key) and ends the check at once; a failed `/v1/user` is the error
    /// once `server_settings` has answered.
    pub async fn check_server(&self) -> Result<ServerInfo, Error> {
        let settings = async { self.send_checked(Method::GET, self.endpoint(&["server_settings"])).await?.json() };
        let user = async { self.send_checked(Method::GET, self.endpoint(&["v1", "user"])).await?.json::<User>() };
        tokio::pin!(settings, user);
        let (settings, user): (serde_json::Value, User) = tokio::select! {
            s = &mut settings => {
                let s = s?;
                (s, user.await?)
            }
            u = &mut user => {
                let s = settings.await?;
                (s, u?)
            }
        };
        let version_text = settings.get("version").and_then(|v| v.as_str()).map(str::to_string);
        let version = version_text.as_deref().and_then(Version::parse);
        Ok(ServerInfo { version_text, version, user_role: user.user_role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::test_server::{Reply, TestServer};
    use crate::connect::{ClientConfig, Secret};
    use serde_json::json;
    use std::time::{Duration, Instant};

    fn client_for(url: &str) -> Client {
        Client::new(ClientConfig::new(url, Secret::new("k"), "test-agent/1.0")).unwrap()
    }

    /// The two requests of the check share one round trip: against a server answering each
    /// after 400 ms, the check takes about 400 ms, not 800.
    #[tokio::test]
    async fn the_check_sends_its_two_requests_together() {
        let wait = Duration::from_millis(400);
        let server = TestServer::spawn(move |req| match req.target.as_str() {
            "/__api__/server_settings" => {
                Reply::Delayed(wait, Box::new(Reply::json(200, json!({"version": "2025.03.1"}))))
            }
            "/__api__/v1/user" => Reply::Delayed(wait, Box::new(Reply::json(200, json!({"user_role": "publisher"})))),
            _ => Reply::empty(404),
        })
        .await;
        let started = Instant::now();
        let info = client_for(server.url()).check_server().await.unwrap();
        let took = started.elapsed();
        assert_eq!(info.user_role.as_deref(), Some("publisher"));
        assert_eq!(info.version_text.as_deref(), Some("2025.03.1"));
        assert!(took < wait * 2, "the two requests went one after the other: {took:?}");
        assert_eq!(server.seen().len(), 2);
    }

    /// Errors read as if the requests had been sent one after the other: the settings' error
    /// wins, without waiting for the user's answer; the user's error once the settings answered.
    #[tokio::test]
    async fn the_settings_error_comes_first_and_at_once() {
        let server = TestServer::spawn(|req| match req.target.as_str() {
            "/__api__/server_settings" => Reply::raw(404, "text/html", "<html>not here</html>"),
            _ => Reply::Silence,
        })
        .await;
        let started = Instant::now();
        let e = client_for(server.url()).check_server().await.unwrap_err();
        assert_eq!(e.status(), Some(404), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "waited for the user's answer: {:?}", started.elapsed());

        let server = TestServer::spawn(|req| match req.target.as_str() {
            "/__api__/server_settings" => Reply::Delayed(
                Duration::from_millis(200),
                Box::new(Reply::raw(404, "text/html", "<html>not here</html>")),
            ),
            _ => Reply::json(401, json!({"code": 3, "error": "Invalid API key.", "payload": null})),
        })
        .await;
        let e = client_for(server.url()).check_server().await.unwrap_err();
        assert_eq!(e.status(), Some(404), "the settings' error, though the user's came first: {e:?}");
    }

    #[test]
    fn versions_parse_and_compare() {
        let v = |s: &str| Version::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert!(v("2024.12.0").at_least(Version::OAUTH_API));
        assert!(!v("2024.11.0").at_least(Version::OAUTH_API));
        assert!(!v("2024.09.3").at_least(Version::OAUTH_API));
        assert!(v("2025.07.0").at_least(Version::SEVERAL_ASSOCIATIONS));
        assert!(!v("2025.06.9").at_least(Version::SEVERAL_ASSOCIATIONS));
        assert!(v("2025.10.1-dev+42").at_least(Version::SEVERAL_ASSOCIATIONS));
        assert!(v("v2025.07").at_least(Version::SEVERAL_ASSOCIATIONS));
        assert!(v("2026.01.0").at_least(Version::SEVERAL_ASSOCIATIONS));
        assert_eq!(v(" 2024.12.0 ").to_string(), "2024.12.0");
        for bad in ["", "2025", "latest", "x.y.z", ".7.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert_eq!(Version::name(Version::SEVERAL_ASSOCIATIONS), "2025.07.0");
        assert_eq!(Version::name(Version::OAUTH_API), "2024.12.0");
    }
}
