//! Which Connect servers the client trusts: the usual chain of trust (the system's CAs,
//! Mozilla's, and the CA certificates given), plus a server's own certificate given as a CA.
//!
//! The second part is for a Connect serving a self-signed certificate. The usual one
//! (`openssl req -x509`) says `CA:TRUE`, and webpki refuses a CA certificate as a server's
//! (`CaUsedAsEndEntity`), so giving it as the CA, which works with curl and Go, would otherwise
//! leave only turning verification off. Such a certificate is accepted when it is byte for byte
//! one of the given certificates, names the server and is within its dates; the handshake
//! signature still proves the server holds its key.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::error::root_cause;
use super::Error;

/// The CA certificates in a PEM text; an error when it holds none, or one that cannot be read as
/// a CA certificate.
pub(crate) fn ca_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    use rustls::pki_types::pem::PemObject;
    let invalid = |reason: String| Error::InvalidCaCertificate { reason };
    let ders = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("its PEM cannot be read: {e}")))?;
    if ders.is_empty() {
        return Err(invalid("it holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)".into()));
    }
    let mut roots = rustls::RootCertStore::empty();
    let count = ders.len();
    for (i, der) in ders.iter().enumerate() {
        roots.add(der.clone()).map_err(|e| invalid(format!("certificate {} of {count}: {e}", i + 1)))?;
    }
    Ok(ders)
}

/// The TLS settings for reqwest: the same trust and protocols it would set up itself
/// (TLS 1.2 and 1.3, ALPN `h2` then `http/1.1`), with [`PinningVerifier`] as the check.
pub(crate) fn client_config(ca_certificates: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, Error> {
    // As reqwest does: the process's default crypto provider, else ring.
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier = PinningVerifier::new(ca_certificates, provider.clone())?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Setup { reason: root_cause(&e) })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest offers ALPN only in the configurations it builds itself.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// webpki's verification, and when it fails, a server certificate equal to one given as a CA
/// (see the module's doc).
#[derive(Debug)]
pub(crate) struct PinningVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl PinningVerifier {
    /// Trusts Mozilla's CAs, the system's (not on macOS) and `ca_certificates`, and pins the latter.
    fn new(
        ca_certificates: Vec<CertificateDer<'static>>,
        provider: Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<Self, Error> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // Native stores often hold a few certificates webpki cannot read: skip those, as reqwest does.
        // Not on macOS: see rustls-native-certs in Cargo.toml.
        #[cfg(not(target_os = "macos"))]
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        for der in &ca_certificates {
            roots.add(der.clone()).map_err(|e| Error::InvalidCaCertificate { reason: e.to_string() })?;
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| Error::Setup { reason: root_cause(&e) })?;
        Ok(PinningVerifier { webpki, pinned: ca_certificates })
    }

    /// The checks webpki's chain check would have made of a certificate that is its own trust:
    /// its dates, and that it names the server.
    fn verify_pinned(
        &self,
        cert: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref())
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let validity = parsed.validity();
        let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now_secs < validity.not_before.timestamp() {
            return Err(rustls::Error::InvalidCertificate(CertificateError::NotValidYet));
        }
        if now_secs > validity.not_after.timestamp() {
            return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
        }
        rustls::client::verify_server_name(&ParsedCertificate::try_from(cert)?, server_name)
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match self.webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Ok(verified) => Ok(verified),
            Err(_) if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) => {
                // The pinned check's own error (a wrong name, expiry) says more than webpki's
                // `CaUsedAsEndEntity`.
                self.verify_pinned(end_entity, server_name, now).map(|()| ServerCertVerified::assertion())
            }
            Err(e) => Err(e),
        };
        result.map_err(|e| with_plain_names(e, end_entity))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// A wrong-name error listing the certificate's DNS names and IP addresses as they are written
/// (`connect.test`, `127.0.0.1`), rather than as webpki debug-prints them
/// (`DnsName("connect.test")`, `IpAddress(127.0.0.1)`).
fn with_plain_names(e: rustls::Error, cert: &CertificateDer<'_>) -> rustls::Error {
    let rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { expected, presented }) = e else {
        return e;
    };
    use x509_parser::extensions::GeneralName;
    let names = x509_parser::parse_x509_certificate(cert.as_ref()).ok().and_then(|(_, parsed)| {
        let san = parsed.subject_alternative_name().ok()??;
        let names = san.value.general_names.iter().filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(dns.to_string()),
            GeneralName::IPAddress(&[a, b, c, d]) => Some(std::net::Ipv4Addr::new(a, b, c, d).to_string()),
            GeneralName::IPAddress(ip) => {
                <[u8; 16]>::try_from(*ip).ok().map(|ip| std::net::Ipv6Addr::from(ip).to_string())
            }
            _ => None,
        });
        Some(names.collect())
    });
    // The names are the server's words: quote any with characters a terminal would act on, and
    // keep a list a screen can show.
    let mut presented: Vec<String> = names
        .unwrap_or(presented)
        .into_iter()
        .map(|n| if n.chars().all(|c| c.is_ascii_graphic()) { n } else { format!("{n:?}") })
        .collect();
    if presented.len() > MAX_NAMES_SHOWN {
        let more = presented.len() - MAX_NAMES_SHOWN;
        presented.truncate(MAX_NAMES_SHOWN);
        presented.push(format!("and {more} more"));
    }
    rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { expected, presented })
}

/// How many of a certificate's names a wrong-name error lists.
const MAX_NAMES_SHOWN: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};

    /// A self-signed certificate as `openssl req -x509` makes it (`CA:TRUE`), for `names`.
    fn self_signed_ca(
        names: &[&str],
        valid: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
    ) -> CertificateDer<'static> {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "connect.test");
        if let Some((from, to)) = valid {
            params.not_before = from;
            params.not_after = to;
        }
        params.self_signed(&key).unwrap().der().clone()
    }

    fn verifier(pinned: Vec<CertificateDer<'static>>) -> PinningVerifier {
        PinningVerifier::new(pinned, Arc::new(rustls::crypto::ring::default_provider())).unwrap()
    }

    /// Verifies a server presenting `cert` alone, reached as `name`.
    fn verify(v: &PinningVerifier, cert: &CertificateDer<'static>, name: &str) -> Result<(), rustls::Error> {
        let name = ServerName::try_from(name.to_owned()).unwrap();
        v.verify_server_cert(cert, &[], &name, &[], UnixTime::now()).map(|_| ())
    }

    #[test]
    fn a_pinned_self_signed_ca_certificate_is_accepted_for_its_names_only() {
        let cert = self_signed_ca(&["127.0.0.1", "connect.test"], None);
        // What webpki alone says, even with the certificate among its roots, and why this
        // module exists.
        let e = PinningVerifier { pinned: vec![], ..verifier(vec![cert.clone()]) };
        let e = verify(&e, &cert, "connect.test").unwrap_err();
        assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");

        let v = verifier(vec![cert.clone()]);
        verify(&v, &cert, "connect.test").unwrap();
        verify(&v, &cert, "127.0.0.1").unwrap();
        match verify(&v, &cert, "localhost").unwrap_err() {
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { expected, presented }) => {
                assert_eq!(expected.to_str(), "localhost");
                assert_eq!(presented, ["127.0.0.1", "connect.test"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_pinned_certificate_is_accepted() {
        let pinned = self_signed_ca(&["connect.test"], None);
        let other = self_signed_ca(&["connect.test"], None);
        let e = verify(&verifier(vec![pinned]), &other, "connect.test").unwrap_err();
        // The other certificate is not pinned, so webpki's verdict stands.
        assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");
    }

    #[test]
    fn a_pinned_certificate_out_of_its_dates_is_refused() {
        let day = time::Duration::days(1);
        let now = time::OffsetDateTime::now_utc();
        let expired = self_signed_ca(&["connect.test"], Some((now - day * 10, now - day)));
        let e = verify(&verifier(vec![expired.clone()]), &expired, "connect.test").unwrap_err();
        assert_eq!(e, rustls::Error::InvalidCertificate(CertificateError::Expired));
        let future = self_signed_ca(&["connect.test"], Some((now + day, now + day * 10)));
        let e = verify(&verifier(vec![future.clone()]), &future, "connect.test").unwrap_err();
        assert_eq!(e, rustls::Error::InvalidCertificate(CertificateError::NotValidYet));
    }

    #[test]
    fn a_chain_to_a_given_ca_is_verified_as_before() {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap().der().clone();
        let issuer = Issuer::new(ca, ca_key);
        let mut leaf = CertificateParams::new(vec!["connect.test".to_owned()]).unwrap();
        leaf.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
        let leaf = leaf.signed_by(&KeyPair::generate().unwrap(), &issuer).unwrap().der().clone();

        let v = verifier(vec![ca_cert]);
        verify(&v, &leaf, "connect.test").unwrap();
        let e = verify(&v, &leaf, "other.test").unwrap_err();
        assert!(
            matches!(&e, rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { presented, .. })
                if presented == &["connect.test"]),
            "{e:?}"
        );
        let e = verify(&verifier(vec![]), &leaf, "connect.test").unwrap_err();
        assert!(matches!(e, rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)), "{e:?}");
    }

    #[test]
    fn a_wrong_name_error_shows_names_plainly_and_not_too_many() {
        let mut names: Vec<String> = vec!["evil\u{1b}[2J.test".into(), "::1".into()];
        names.extend((0..30).map(|i| format!("n{i}.test")));
        let cert = self_signed_ca(&names.iter().map(String::as_str).collect::<Vec<_>>(), None);
        match verify(&verifier(vec![cert.clone()]), &cert, "connect.test").unwrap_err() {
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { presented, .. }) => {
                assert_eq!(presented.len(), MAX_NAMES_SHOWN + 1, "{presented:?}");
                assert_eq!(presented[0], "\"evil\\u{1b}[2J.test\"");
                assert_eq!(presented[1], "::1");
                assert_eq!(presented[MAX_NAMES_SHOWN], "and 12 more");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_config_offers_http2_and_http1() {
        let config = client_config(vec![]).unwrap();
        assert_eq!(config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn ca_certificates_are_read_as_der() {
        let cert = self_signed_ca(&["connect.test"], None);
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, cert.as_ref())
        );
        assert_eq!(ca_certificates(&pem).unwrap(), [cert]);
    }
}
