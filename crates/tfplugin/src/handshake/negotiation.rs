//! How Terraform started the plugin: the magic cookie, the protocol versions it offers, its
//! client certificate and the transport, settled into a [`Negotiated`]; and the lines that tell
//! Terraform (or a person, in `-debug` mode) where the plugin listens.

use std::fmt;

use rustls::pki_types::CertificateDer;

use crate::tls::{self, TlsError};
use crate::transport::{Transport, TransportError};

/// Environment variable carrying go-plugin's magic cookie.
pub(crate) const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's cookie value: the same for every provider, it only proves we were started by
/// Terraform (or OpenTofu) rather than by a person.
pub(crate) const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (first field of the handshake line).
pub(crate) const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub(crate) const PROTOCOL_VERSION: u32 = 6;
/// Who the plugin is, for what people and Terraform see outside the protocol: the message when
/// started by hand, the `-debug` reattach instructions, the socket directory's name, and the
/// variable that picks the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plugin {
    /// The provider's local name, the prefix of its type names (`posit`).
    pub name: &'static str,
    /// Its source address as users write it in `required_providers` (`posit-dev/posit`).
    pub source: &'static str,
    /// Its full address in the registry, the key of `TF_REATTACH_PROVIDERS`
    /// (`registry.terraform.io/posit-dev/posit`).
    pub address: &'static str,
    /// The environment variable that picks the transport, `tcp` or `unix`
    /// (`POSIT_PROVIDER_TRANSPORT`; see [`Transport`]).
    pub transport_env: &'static str,
}

/// What the handshake settled: how to serve.
#[derive(Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Who is serving.
    pub plugin: Plugin,
    /// The plugin protocol version to announce (always 6).
    pub protocol_version: u32,
    /// Terraform's client certificate (`PLUGIN_CLIENT_CERT`). `None` serves plaintext, as
    /// go-plugin does when the client turned AutoMTLS off.
    pub client_cert: Option<CertificateDer<'static>>,
    /// `-debug`: started by a person, who attaches Terraform via `TF_REATTACH_PROVIDERS`.
    pub debug: bool,
    /// Unix socket or TCP.
    pub transport: Transport,
}

impl fmt::Debug for Negotiated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiated")
            .field("plugin", &self.plugin.name)
            .field("protocol_version", &self.protocol_version)
            .field("mtls", &self.client_cert.is_some())
            .field("debug", &self.debug)
            .field("transport", &self.transport)
            .finish()
    }
}

impl Negotiated {
    /// Debug mode: no cookie, no TLS (Terraform reattaches without certificates).
    pub(crate) fn debug(plugin: Plugin, transport: Transport) -> Self {
        Self { plugin, protocol_version: PROTOCOL_VERSION, client_cert: None, debug: true, transport }
    }
}

/// Why the process cannot serve Terraform; `main` prints it and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// Started by a person, not by Terraform: says how to use it instead.
    #[error(
        "This binary is a plugin for Terraform (and OpenTofu), not meant to be run directly.\n\
         Declare it in your configuration instead:\n\n\
         \x20   terraform {{\n\
         \x20     required_providers {{\n\
         \x20       {name} = {{ source = \"{address}\" }}\n\
         \x20     }}\n\
         \x20   }}\n\n\
         then run `terraform init` and `terraform plan`; Terraform starts the provider itself.\n\
         To debug the provider, run it with -debug and follow the printed instructions."
    )]
    NotLaunchedByTerraform {
        /// The provider's local name.
        name: &'static str,
        /// Its source address (not an error source: thiserror's `source` name is avoided).
        address: &'static str,
    },
    /// Terraform offered only protocol versions other than 6 (an old Terraform).
    #[error(
        "Terraform offered plugin protocol version(s) {offered:?}, but this provider speaks only \
         protocol 6. Use Terraform 1.0 or later, or OpenTofu."
    )]
    UnsupportedProtocol {
        /// What Terraform offered, as it wrote it.
        offered: String,
    },
    /// `PLUGIN_CLIENT_CERT` is not a certificate.
    #[error("{0}")]
    ClientCert(#[from] TlsError),
    /// The transport asked for cannot be served.
    #[error("{0}")]
    Transport(#[from] TransportError),
}

/// Checks how we were started: `-debug` on the command line, or go-plugin's environment
/// (`TF_PLUGIN_MAGIC_COOKIE`, `PLUGIN_PROTOCOL_VERSIONS`, `PLUGIN_CLIENT_CERT`,
/// `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`), and the transport asked for
/// (the plugin's `transport_env`).
pub fn check_environment(plugin: Plugin) -> Result<Negotiated, HandshakeError> {
    negotiate(plugin, std::env::args().skip(1), |key| std::env::var(key).ok())
}

/// [`check_environment`] on given arguments (without the program name) and variables.
pub(crate) fn negotiate<I, S>(
    plugin: Plugin,
    args: I,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Negotiated, HandshakeError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let debug = args.into_iter().any(|a| matches!(a.as_ref(), "-debug" | "--debug"));
    if debug {
        return Ok(Negotiated::debug(plugin, Transport::from_env(plugin.transport_env, &var)?));
    }
    if var(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::NotLaunchedByTerraform { name: plugin.name, address: plugin.source });
    }
    // go-plugin: unset means the plugin's default version; unparsable entries are skipped.
    if let Some(offered) = var("PLUGIN_PROTOCOL_VERSIONS").filter(|v| !v.trim().is_empty()) {
        let speaks_ours =
            offered.split(',').filter_map(|v| v.trim().parse::<u32>().ok()).any(|v| v == PROTOCOL_VERSION);
        if !speaks_ours {
            return Err(HandshakeError::UnsupportedProtocol { offered });
        }
    }
    let client_cert = match var("PLUGIN_CLIENT_CERT").filter(|v| !v.trim().is_empty()) {
        Some(pem) => Some(tls::parse_client_cert_pem(&pem)?),
        None => None,
    };
    let transport = Transport::from_env(plugin.transport_env, &var)?;
    Ok(Negotiated { plugin, protocol_version: PROTOCOL_VERSION, client_cert, debug: false, transport })
}

/// The line go-plugin reads from our stdout: `core|app|network|address|grpc|cert`, the network
/// `unix` (the address a socket path) or `tcp` (`127.0.0.1:PORT`). The cert field is empty
/// when serving plaintext.
pub(crate) fn handshake_line(protocol_version: u32, network: &str, address: &str, cert_base64: Option<&str>) -> String {
    format!("{CORE_PROTOCOL_VERSION}|{protocol_version}|{network}|{address}|grpc|{}", cert_base64.unwrap_or(""))
}

/// The `TF_REATTACH_PROVIDERS` value that points Terraform at a `-debug` server.
pub(crate) fn reattach_config(plugin: &Plugin, pid: u32, network: &str, address: &str) -> String {
    serde_json::json!({
        plugin.address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::serving::debug_instructions;
    use crate::test_client::{vars, NO_ARGS, PLUGIN};
    use crate::tls::tests::P521_CERT_PEM;
    use crate::transport;

    #[test]
    fn cookie_missing_or_wrong_is_refused_with_instructions() {
        let missing = negotiate(PLUGIN, NO_ARGS, vars(&[])).unwrap_err();
        assert!(matches!(missing, HandshakeError::NotLaunchedByTerraform { .. }));
        let text = missing.to_string();
        assert!(text.contains("plugin"), "{text}");
        assert!(text.contains("not meant to be run directly"), "{text}");
        assert!(text.contains("terraform init"), "{text}");
        assert!(text.contains("-debug"), "{text}");

        let wrong = negotiate(PLUGIN, NO_ARGS, vars(&[(MAGIC_COOKIE_KEY, "nope")])).unwrap_err();
        assert!(matches!(wrong, HandshakeError::NotLaunchedByTerraform { .. }));
    }

    #[test]
    fn protocol_versions() {
        let with = |versions: Option<&str>| {
            let mut pairs = vec![(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)];
            if let Some(v) = versions {
                pairs.push(("PLUGIN_PROTOCOL_VERSIONS", v));
            }
            negotiate(PLUGIN, NO_ARGS, vars(&pairs))
        };
        for ok in [Some("6"), Some("5,6"), Some(" 5 , 6 "), Some("x,6"), Some(""), None] {
            let n = with(ok).unwrap_or_else(|e| panic!("{ok:?}: {e}"));
            assert_eq!(n.protocol_version, 6);
            assert!(n.client_cert.is_none());
            assert!(!n.debug);
        }
        let only_five = with(Some("5")).unwrap_err();
        assert!(matches!(
            &only_five,
            HandshakeError::UnsupportedProtocol { offered } if offered == "5"
        ));
        let text = only_five.to_string();
        assert!(text.contains("\"5\"") && text.contains("protocol 6"), "{text}");
    }

    #[test]
    fn client_cert_is_read_and_checked() {
        let n = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("PLUGIN_CLIENT_CERT", P521_CERT_PEM)]),
        )
        .unwrap();
        assert!(n.client_cert.is_some());
        let bad = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE), ("PLUGIN_CLIENT_CERT", "garbage")]),
        );
        assert!(matches!(bad, Err(HandshakeError::ClientCert(_))));
    }

    #[test]
    fn debug_flag_needs_no_cookie() {
        let n = negotiate(PLUGIN, ["-debug"], vars(&[])).unwrap();
        assert!(n.debug && n.client_cert.is_none());
        assert_eq!(n, Negotiated::debug(PLUGIN, Transport::platform_default()));
        // `-debug` listens where asked too (on Windows, TCP is the only choice).
        let tcp = negotiate(PLUGIN, ["-debug"], vars(&[(PLUGIN.transport_env, "tcp")])).unwrap();
        assert_eq!(tcp, Negotiated::debug(PLUGIN, Transport::Tcp { ports: None }));
    }

    #[test]
    fn transport_comes_from_the_environment() {
        let cookie = (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE);
        let n = negotiate(PLUGIN, NO_ARGS, vars(&[cookie])).unwrap();
        assert_eq!(n.transport, Transport::platform_default());
        let n = negotiate(
            PLUGIN,
            NO_ARGS,
            vars(&[
                cookie,
                (PLUGIN.transport_env, "tcp"),
                (transport::MIN_PORT_ENV, "10000"),
                (transport::MAX_PORT_ENV, "25000"),
            ]),
        )
        .unwrap();
        assert_eq!(n.transport, Transport::Tcp { ports: Some(10000..=25000) });
        // A setting that cannot be served stops the start with its reason, as a bad
        // certificate does.
        let bad = negotiate(PLUGIN, NO_ARGS, vars(&[cookie, (PLUGIN.transport_env, "udp")])).unwrap_err();
        assert!(matches!(bad, HandshakeError::Transport(TransportError::Unknown { .. })), "{bad:?}");
        assert!(bad.to_string().contains("EXAMPLE_PROVIDER_TRANSPORT"), "{bad}");
    }

    #[test]
    fn handshake_line_format() {
        let path = "/tmp/tf-provider-posit-1/plugin.sock";
        assert_eq!(
            handshake_line(6, "unix", path, Some("MIIBabc")),
            "1|6|unix|/tmp/tf-provider-posit-1/plugin.sock|grpc|MIIBabc"
        );
        assert_eq!(handshake_line(6, "unix", path, None), "1|6|unix|/tmp/tf-provider-posit-1/plugin.sock|grpc|");
        // go-plugin's line on Windows: `listener.Addr().Network()` and `.String()`.
        assert_eq!(
            handshake_line(6, "tcp", "127.0.0.1:10000", Some("MIIBabc")),
            "1|6|tcp|127.0.0.1:10000|grpc|MIIBabc"
        );
    }

    #[test]
    fn reattach_config_format() {
        for (network, address) in [("unix", "/tmp/d/plugin.sock"), ("tcp", "127.0.0.1:10001")] {
            let json = reattach_config(&PLUGIN, 42, network, address);
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let p = &v["registry.terraform.io/example-org/example"];
            assert_eq!(p["Protocol"], "grpc");
            assert_eq!(p["ProtocolVersion"], 6);
            assert_eq!(p["Pid"], 42);
            assert_eq!(p["Test"], true);
            assert_eq!(p["Addr"]["Network"], network);
            assert_eq!(p["Addr"]["String"], address);
            let text = debug_instructions(&PLUGIN, 42, network, address);
            assert!(text.contains(&format!("TF_REATTACH_PROVIDERS='{json}'")), "{text}");
        }
    }
}
