//! The local certificate for `https://` and `wss://` (Amplify always opens `wss://` to the
//! endpoint's host and port, even for an `http://` endpoint).
//!
//! A local CA is made on first use and kept under `.local/tls/` (`ca.pem`, the one file to
//! trust; `ca-key.pem`, mode 0600); every start signs a fresh server certificate for
//! `localhost`, `127.0.0.1` and `::1` with it. The CA is name-constrained to exactly those
//! names, so trusting it in a browser or Node (`NODE_EXTRA_CA_CERTS`) lets its key vouch for
//! nothing else, whoever reads the file. Without a directory (tests) the CA lives in memory.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, SanType,
};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

use crate::error::{Error, Result};

/// The CA's common name; the server certificate's issuer is built from the same parameters.
const CA_NAME: &str = "appsync-local development CA (localhost only)";

/// What the server presents, and the CA a client trusts.
pub struct LocalTls {
    /// The CA certificate, PEM: what a browser or Node is told to trust.
    pub ca_pem: String,
    /// Where `ca_pem` is on disk, if it is.
    pub ca_file: Option<PathBuf>,
    pub server: Arc<ServerConfig>,
}

fn ca_params() -> Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(Ipv6Addr::LOCALHOST.octets(), [0xff; 16])),
        ],
        excluded_subtrees: vec![],
    });
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    Ok(params)
}

/// The CA: read from `dir`, or made (and written there, unless another process just did).
fn ca(dir: Option<&Path>) -> Result<(String, KeyPair, Option<PathBuf>)> {
    let Some(dir) = dir else {
        let key = KeyPair::generate()?;
        let cert = ca_params()?.self_signed(&key)?;
        return Ok((cert.pem(), key, None));
    };
    let (cert_file, key_file) = (dir.join("ca.pem"), dir.join("ca-key.pem"));
    if !cert_file.exists() {
        std::fs::create_dir_all(dir).map_err(Error::file(dir))?;
        let key = KeyPair::generate()?;
        let cert = ca_params()?.self_signed(&key)?;
        // Written aside, then linked into place without replacing: two stacks starting at once
        // end up with one CA (the loser reads the winner's).
        let pid = std::process::id();
        let (tmp_key, tmp_cert) = (
            dir.join(format!(".ca-key.{pid}.pem")),
            dir.join(format!(".ca.{pid}.pem")),
        );
        write_private(&tmp_key, key.serialize_pem().as_bytes())?;
        std::fs::write(&tmp_cert, cert.pem()).map_err(Error::file(&tmp_cert))?;
        let linked = std::fs::hard_link(&tmp_key, &key_file)
            .and_then(|_| std::fs::hard_link(&tmp_cert, &cert_file));
        let _ = std::fs::remove_file(&tmp_key);
        let _ = std::fs::remove_file(&tmp_cert);
        if linked.is_ok() {
            return Ok((cert.pem(), key, Some(cert_file)));
        }
        // Another process made it first: wait (bounded) for its certificate.
        for _ in 0..50 {
            if cert_file.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    let broken = |detail: String| {
        Error::Config(format!(
            "{}: {detail} (delete {} to make a new CA)",
            key_file.display(),
            dir.display()
        ))
    };
    let key_pem = std::fs::read_to_string(&key_file).map_err(|e| broken(e.to_string()))?;
    let key = KeyPair::from_pem(&key_pem).map_err(|e| broken(e.to_string()))?;
    let cert_pem = std::fs::read_to_string(&cert_file).map_err(Error::file(&cert_file))?;
    Ok((cert_pem, key, Some(cert_file)))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(Error::file(path))
}

impl LocalTls {
    /// The CA of `dir` (made there on first use), or one in memory; a server certificate for
    /// the loopback names signed by it.
    pub fn new(dir: Option<&Path>) -> Result<Self> {
        let (ca_pem, ca_key, ca_file) = ca(dir)?;
        let issuer = Issuer::new(ca_params()?, ca_key);

        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params.subject_alt_names.extend([
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ]);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "localhost");
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(90);
        let cert = params.signed_by(&key, &issuer)?;

        let ca_der = CertificateDer::from_pem_slice(ca_pem.as_bytes())?;
        let key_der = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes())?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone(), ca_der], key_der)?;
        // The server speaks HTTP/1.1 only (WebSocket upgrades are HTTP/1.1).
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem,
            ca_file,
            server: Arc::new(server),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_kept_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("appsync-local-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = LocalTls::new(Some(&dir)).unwrap();
        assert_eq!(first.ca_file.as_deref(), Some(dir.join("ca.pem").as_path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("ca-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the CA's key is the user's only");
        }
        // A second start signs a new server certificate with the same CA.
        let second = LocalTls::new(Some(&dir)).unwrap();
        assert_eq!(first.ca_pem, second.ca_pem);
        // No temporary files are left behind.
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["ca-key.pem", "ca.pem"]);
        let _ = std::fs::remove_dir_all(&dir);
        // Without a directory, a CA of its own each time.
        assert_ne!(
            LocalTls::new(None).unwrap().ca_pem,
            LocalTls::new(None).unwrap().ca_pem
        );
    }
}
