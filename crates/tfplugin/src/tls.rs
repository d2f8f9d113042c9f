//! go-plugin's automatic mutual TLS ("AutoMTLS"), server side.
//!
//! Terraform generates a throw-away client certificate per plugin launch and passes it in
//! `PLUGIN_CLIENT_CERT`; the plugin generates its own throw-away server certificate and sends it
//! back (base64 DER) on the handshake line. Each side then trusts exactly the other's
//! certificate, so only the Terraform process that started us can talk to the socket.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use p521::ecdsa::signature::Verifier as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error as RustlsError, PeerMisbehaved, ServerConfig,
    SignatureScheme,
};

/// How long the server certificate is valid. It only lives as long as this process, but Go's
/// client checks the dates, and a generous window survives clock adjustments.
const SERVER_CERT_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// go-plugin backdates its certificates by 30 s to tolerate small clock differences.
const BACKDATE: Duration = Duration::from_secs(30);

/// Errors setting up the plugin's TLS: Terraform's client certificate, or our own.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// `PLUGIN_CLIENT_CERT` has no certificate block.
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCert,
    /// `PLUGIN_CLIENT_CERT` has several; which to pin would be a guess.
    #[error("PLUGIN_CLIENT_CERT holds {0} certificates; expected exactly one")]
    TooManyClientCerts(usize),
    /// `PLUGIN_CLIENT_CERT` is not PEM.
    #[error("PLUGIN_CLIENT_CERT is not valid PEM: {0}")]
    ClientCertPem(String),
    /// The certificate's DER cannot be read, or holds a key we cannot verify.
    #[error("PLUGIN_CLIENT_CERT is not a certificate this provider can read: {0}")]
    ClientCertDer(&'static str),
    /// Making the per-run server certificate failed.
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("configuring TLS: {0}")]
    Config(#[from] RustlsError),
}

/// Parses `PLUGIN_CLIENT_CERT`: exactly one PEM `CERTIFICATE` block.
pub(crate) fn parse_client_cert_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    let certs = rustls_pemfile::certs(&mut pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::ClientCertPem(e.to_string()))?;
    match certs.len() {
        0 => Err(TlsError::NoClientCert),
        1 => {
            let cert = certs.into_iter().next().expect("one certificate");
            // Fail early (at startup, with a clear message) rather than in the handshake.
            CertInfo::parse(cert.as_ref()).map_err(TlsError::ClientCertDer)?;
            Ok(cert)
        }
        n => Err(TlsError::TooManyClientCerts(n)),
    }
}

/// The per-run server certificate and its private key.
pub(crate) struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerIdentity").field("cert_len", &self.cert.as_ref().len()).finish_non_exhaustive()
    }
}

impl ServerIdentity {
    /// A fresh self-signed ECDSA P-256 certificate for `localhost`, shaped like go-plugin's own:
    /// Terraform's Go client puts it in its root pool and verifies the server against it, so it
    /// is a CA (cert-sign usage) that is also valid for server and client authentication.
    pub(crate) fn generate() -> Result<Self, TlsError> {
        use rcgen::{
            BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
        };

        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Terraform plugin");
        dn.push(DnType::CommonName, "localhost");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
        let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        // rcgen takes `time::OffsetDateTime`; build it from the epoch without naming the crate.
        let epoch = rcgen::date_time_ymd(1970, 1, 1);
        params.not_before = epoch + since_epoch.saturating_sub(BACKDATE);
        params.not_after = epoch + since_epoch + SERVER_CERT_LIFETIME;

        let cert = params.self_signed(&key)?;
        Ok(Self { cert: cert.der().clone(), key: PrivatePkcs8KeyDer::from(key.serialize_der()) })
    }

    /// The certificate, DER-encoded.
    #[cfg(test)]
    pub(crate) fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The certificate as the handshake line carries it: base64 (standard alphabet) of the DER,
    /// without padding, as go-plugin's `base64.RawStdEncoding` expects.
    pub(crate) fn cert_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.cert.as_ref())
    }

    /// A TLS 1.2/1.3 server configuration presenting this identity, requiring the one pinned
    /// client certificate, and negotiating ALPN `h2` (grpc-go refuses servers without it).
    pub(crate) fn server_config(&self, client_cert: CertificateDer<'static>) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = PinnedClientCert::new(client_cert, provider.clone())?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![self.cert.clone()], PrivateKeyDer::Pkcs8(self.key.clone_key()))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Accepts exactly one client certificate, compared byte for byte.
///
/// rustls' `WebPkiClientVerifier` cannot be used: go-plugin's client certificate is a
/// self-signed CA certificate, and webpki refuses a CA certificate as an end entity
/// (`CaUsedAsEndEntity`). Pinning is also the stronger check: only the certificate Terraform
/// handed us is accepted, not anything it might have signed. The handshake signature still
/// proves the peer holds the certificate's private key.
///
/// go-plugin's key is ECDSA P-521, which ring cannot verify, so that one curve is verified with
/// the pure-Rust `p521` crate; every other key type goes through the ring provider.
#[derive(Debug)]
pub(crate) struct PinnedClientCert {
    der: CertificateDer<'static>,
    info: CertInfo,
    provider: Arc<rustls::crypto::CryptoProvider>,
    schemes: Vec<SignatureScheme>,
}

impl PinnedClientCert {
    /// Pins `der`, verifying handshake signatures with `provider` (except P-521, see above).
    pub(crate) fn new(
        der: CertificateDer<'static>,
        provider: Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<Self, TlsError> {
        let info = CertInfo::parse(der.as_ref()).map_err(TlsError::ClientCertDer)?;
        // Offer only the scheme that fits the pinned key. Go's client then cannot pick a scheme
        // we would fail to verify (in TLS 1.2 it may otherwise sign with any ECDSA hash).
        let schemes = match info.key {
            KeyKind::EcP256 => vec![SignatureScheme::ECDSA_NISTP256_SHA256],
            KeyKind::EcP384 => vec![SignatureScheme::ECDSA_NISTP384_SHA384],
            KeyKind::EcP521 => vec![SignatureScheme::ECDSA_NISTP521_SHA512],
            KeyKind::Other => provider.signature_verification_algorithms.supported_schemes(),
        };
        Ok(Self { der, info, provider, schemes })
    }

    fn check_pinned(&self, cert: &CertificateDer<'_>) -> Result<(), RustlsError> {
        if cert.as_ref() == self.der.as_ref() {
            Ok(())
        } else {
            Err(RustlsError::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    /// Verifies a handshake signature made with the pinned certificate's key.
    fn verify(
        &self,
        tls13: bool,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        self.check_pinned(cert)?;
        if !self.schemes.contains(&dss.scheme) {
            return Err(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme.into());
        }
        let algorithms = &self.provider.signature_verification_algorithms;
        match dss.scheme {
            SignatureScheme::ECDSA_NISTP521_SHA512 => self.verify_p521(message, dss.signature()),
            _ if tls13 => rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms),
            _ => rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms),
        }
    }

    /// ECDSA P-521 with SHA-512 over `message`; `signature` is DER, as TLS carries it.
    fn verify_p521(&self, message: &[u8], signature: &[u8]) -> Result<HandshakeSignatureValid, RustlsError> {
        let bad = || RustlsError::InvalidCertificate(CertificateError::BadSignature);
        if self.info.key != KeyKind::EcP521 {
            return Err(bad());
        }
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(&self.info.public_key).map_err(|_| bad())?;
        let signature = p521::ecdsa::Signature::from_der(signature).map_err(|_| bad())?;
        // `VerifyingKey` hashes with SHA-512, the hash this scheme names.
        key.verify(message, &signature).map_err(|_| bad())?;
        Ok(HandshakeSignatureValid::assertion())
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // An empty list lets Go's client send its certificate without matching issuers.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, RustlsError> {
        self.check_pinned(end_entity)?;
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now < self.info.not_before {
            return Err(RustlsError::InvalidCertificate(CertificateError::NotValidYet));
        }
        if now > self.info.not_after {
            return Err(RustlsError::InvalidCertificate(CertificateError::Expired));
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        self.verify(false, message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, RustlsError> {
        self.verify(true, message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// The public key's type, as far as choosing a signature scheme needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    EcP256,
    EcP384,
    EcP521,
    Other,
}

/// What the verifier needs from the pinned certificate.
#[derive(Debug, Clone)]
struct CertInfo {
    /// Validity, in seconds since the Unix epoch.
    not_before: i64,
    not_after: i64,
    key: KeyKind,
    /// The subjectPublicKey bits (for EC keys, the SEC1 point).
    public_key: Vec<u8>,
}

impl CertInfo {
    /// Reads validity and public key from an X.509 certificate.
    fn parse(cert: &[u8]) -> Result<Self, &'static str> {
        use x509_parser::asn1_rs::oid;
        use x509_parser::nom::Err;
        use x509_parser::oid_registry::{Oid, OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY};
        use x509_parser::prelude::{FromDer as _, X509Certificate, X509Error};
        // x509-parser leaves out oid-registry's NIST curve names (its `nist_algs` feature).
        const P384: Oid<'static> = oid!(1.3.132 .0 .34);
        const P521: Oid<'static> = oid!(1.3.132 .0 .35);
        const MALFORMED: &str = "malformed X.509 certificate";

        let (_, cert) = X509Certificate::from_der(cert).map_err(|e| match e {
            Err::Error(X509Error::InvalidDate) | Err::Failure(X509Error::InvalidDate) => "unreadable validity dates",
            _ => MALFORMED,
        })?;
        let validity = cert.validity();
        let spki = cert.public_key();
        if spki.subject_public_key.unused_bits != 0 {
            return Err(MALFORMED);
        }
        let curve = (spki.algorithm.algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY)
            .then(|| spki.algorithm.parameters.as_ref()?.as_oid().ok())
            .flatten();
        let key = match curve {
            Some(c) if c == OID_EC_P256 => KeyKind::EcP256,
            Some(c) if c == P384 => KeyKind::EcP384,
            Some(c) if c == P521 => KeyKind::EcP521,
            _ => KeyKind::Other,
        };
        Ok(Self {
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            key,
            public_key: spki.subject_public_key.data.to_vec(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A P-521 certificate shaped like go-plugin's client certificate (self-signed CA,
    /// CN/SAN localhost, client+server auth), valid 2020-01-01 to 2099-01-01.
    pub(crate) const P521_CERT_PEM: &str = include_str!("../../../tests/fixtures/go-plugin-client-p521.pem");

    /// The private scalar of [`P521_CERT_PEM`]'s key (test fixture only).
    pub(crate) const P521_KEY_HEX: &str = "014b5c4ea1afa79f4cb9bc7fa933ccb8c7752826b42045381dafc9c43eb9daf8039de22ef67154b5f16987d0d0f4c85a5818605b1c3953ccede5fff5aaeb475c2f9d";

    fn p521_signing_key() -> p521::ecdsa::SigningKey {
        let bytes: Vec<u8> = (0..P521_KEY_HEX.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&P521_KEY_HEX[i..i + 2], 16).unwrap())
            .collect();
        p521::ecdsa::SigningKey::from_slice(&bytes).unwrap()
    }

    /// ECDSA-signs `message` with the fixture key (SHA-512), returning the DER form TLS carries.
    /// (`p521`'s `Signer` needs its `getrandom` feature; the nonce comes from /dev/urandom here.)
    pub(crate) fn p521_sign(message: &[u8]) -> Vec<u8> {
        use p521::ecdsa::signature::RandomizedSigner as _;
        use p521::elliptic_curve::rand_core::{CryptoRng, Error, RngCore};
        struct Urandom;
        impl RngCore for Urandom {
            fn next_u32(&mut self) -> u32 {
                let mut b = [0; 4];
                self.fill_bytes(&mut b);
                u32::from_le_bytes(b)
            }
            fn next_u64(&mut self) -> u64 {
                let mut b = [0; 8];
                self.fill_bytes(&mut b);
                u64::from_le_bytes(b)
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                use std::io::Read as _;
                std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(dest)).unwrap();
            }
            fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
                self.fill_bytes(dest);
                Ok(())
            }
        }
        impl CryptoRng for Urandom {}
        let signature: p521::ecdsa::Signature = p521_signing_key().sign_with_rng(&mut Urandom, message);
        ecdsa_der(&signature.to_bytes())
    }

    /// DER-encodes an ECDSA signature (the form TLS carries).
    pub(crate) fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
        fn int(bytes: &[u8]) -> Vec<u8> {
            let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
            let mut digits = bytes[start..].to_vec();
            if digits[0] & 0x80 != 0 {
                digits.insert(0, 0);
            }
            let mut out = vec![0x02, digits.len() as u8];
            out.extend(digits);
            out
        }
        let (r, s) = raw.split_at(raw.len() / 2);
        let body = [int(r), int(s)].concat();
        let mut out = vec![0x30];
        if body.len() >= 0x80 {
            out.extend([0x81, body.len() as u8]);
        } else {
            out.push(body.len() as u8);
        }
        out.extend(body);
        out
    }

    fn ring() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    fn unix(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn server_certificate_parses_and_is_base64_without_padding() {
        let id = ServerIdentity::generate().unwrap();
        let b64 = id.cert_base64();
        assert!(!b64.contains('='), "{b64}");
        assert!(!b64.contains('\n'));
        let der = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&b64).unwrap();
        assert_eq!(der, id.cert_der().as_ref());

        let info = CertInfo::parse(&der).unwrap();
        assert_eq!(info.key, KeyKind::EcP256);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!(info.not_before <= now - 25 && info.not_before >= now - 40);
        assert!(info.not_after > now + 5 * 365 * 86_400);
        // Server config builds with this identity and a pinned client certificate.
        let client = ServerIdentity::generate().unwrap();
        id.server_config(client.cert_der().clone()).unwrap();
    }

    #[test]
    fn parses_go_plugin_shaped_p521_certificate() {
        let cert = parse_client_cert_pem(P521_CERT_PEM).unwrap();
        let info = CertInfo::parse(cert.as_ref()).unwrap();
        assert_eq!(info.key, KeyKind::EcP521);
        // 2020-01-01 (a UTCTime) and 2099-01-01 (a GeneralizedTime).
        assert_eq!(info.not_before, 1_577_836_800);
        assert_eq!(info.not_after, 4_070_908_800);
        assert_eq!(info.public_key.len(), 133);
        assert_eq!(info.public_key[0], 4);
    }

    #[test]
    fn client_cert_pem_errors() {
        assert!(matches!(parse_client_cert_pem("nothing here"), Err(TlsError::NoClientCert)));
        let two = format!("{P521_CERT_PEM}{P521_CERT_PEM}");
        assert!(matches!(parse_client_cert_pem(&two), Err(TlsError::TooManyClientCerts(2))));
    }

    #[test]
    fn pinned_verifier_accepts_pinned_and_rejects_others() {
        let pinned = parse_client_cert_pem(P521_CERT_PEM).unwrap();
        let verifier = PinnedClientCert::new(pinned.clone(), ring()).unwrap();
        assert_eq!(verifier.supported_verify_schemes(), vec![SignatureScheme::ECDSA_NISTP521_SHA512]);
        assert!(verifier.client_auth_mandatory());
        assert!(verifier.root_hint_subjects().is_empty());

        let now = unix(1_800_000_000);
        assert!(verifier.verify_client_cert(&pinned, &[], now).is_ok());

        let other = ServerIdentity::generate().unwrap();
        assert!(verifier.verify_client_cert(other.cert_der(), &[], now).is_err());

        // Outside the validity period.
        let early = verifier.verify_client_cert(&pinned, &[], unix(1_500_000_000));
        assert!(matches!(early, Err(RustlsError::InvalidCertificate(CertificateError::NotValidYet))));
        let late = verifier.verify_client_cert(&pinned, &[], unix(4_200_000_000));
        assert!(matches!(late, Err(RustlsError::InvalidCertificate(CertificateError::Expired))));
    }

    #[test]
    fn p521_handshake_signatures_are_verified() {
        let pinned = parse_client_cert_pem(P521_CERT_PEM).unwrap();
        let verifier = PinnedClientCert::new(pinned.clone(), ring()).unwrap();
        let message = b"TLS 1.3, client CertificateVerify\x00transcript hash";
        let der_sig = p521_sign(message);
        assert!(verifier.verify_p521(message, &der_sig).is_ok());
        assert!(verifier.verify_p521(b"something else", &der_sig).is_err());
        assert!(verifier.verify_p521(message, &der_sig[1..]).is_err());

        // A P-256 pin never takes the P-521 path.
        let other = ServerIdentity::generate().unwrap();
        let p256 = PinnedClientCert::new(other.cert_der().clone(), ring()).unwrap();
        assert_eq!(p256.supported_verify_schemes(), vec![SignatureScheme::ECDSA_NISTP256_SHA256]);
        assert!(p256.verify_p521(message, &der_sig).is_err());
    }

    #[test]
    fn ecdsa_der_round_trip() {
        let mut raw = vec![0u8; 132];
        raw[0] = 0x01;
        raw[65] = 0x80;
        raw[66..].fill(0xff);
        raw[66] = 0x00;
        raw[67] = 0x01;
        let der_sig = ecdsa_der(&raw);
        let signature = p521::ecdsa::Signature::from_der(&der_sig).unwrap();
        assert_eq!(signature.to_bytes()[..], raw[..]);
        assert!(p521::ecdsa::Signature::from_der(&der_sig[..der_sig.len() - 1]).is_err());
    }

    /// A self-signed P-256 certificate with `edit` applied to its parameters, as DER.
    fn cert_with(edit: impl FnOnce(&mut rcgen::CertificateParams)) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        edit(&mut params);
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn certificate_times() {
        // UTCTime's two-digit years: 49 is 2049, 50 is 1950 (RFC 5280).
        let der = cert_with(|params| {
            params.not_before = rcgen::date_time_ymd(1950, 1, 1);
            params.not_after = rcgen::date_time_ymd(2050, 1, 1) - Duration::from_secs(1);
        });
        assert!(der.windows(15).any(|w| w == b"\x17\x0d491231235959Z"), "notAfter is a UTCTime");
        let info = CertInfo::parse(&der).unwrap();
        assert_eq!(info.not_after, 2_524_607_999);
        assert_eq!(info.not_before, -631_152_000);
        // A date that is not one.
        let utc_1950 = der.windows(15).position(|w| w == b"\x17\x0d500101000000Z").unwrap();
        let mut bad = der.clone();
        bad[utc_1950 + 10] = b'x';
        assert_eq!(CertInfo::parse(&bad).unwrap_err(), "unreadable validity dates");
    }
}
