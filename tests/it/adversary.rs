//! An adversarial target for issue 5: a raw `tokio::net::TcpListener` on
//! 127.0.0.1:0 that controls every byte it sends (or does not send), with TLS
//! from `tokio-rustls` and certificates made at test time by `rcgen`.
//!
//! Every server stops by itself: it accepts for at most [`LIFETIME`], each
//! connection lives at most that long, and dropping the [`Adversary`] stops
//! its runtime. Every loop is bounded in count and time.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// How long a server accepts connections, and a connection lives.
pub const LIFETIME: Duration = Duration::from_secs(40);

/// The largest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// A request head as received.
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// `GET /v1/... HTTP/1.1` target.
    pub target: String,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// The value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Makes a whole response (status line to body) for a request.
pub type Responder = Arc<dyn Fn(&Head) -> Vec<u8> + Send + Sync>;

/// What the server does with each connection.
#[derive(Clone)]
pub enum Behaviour {
    /// Send the bytes, then close.
    Respond(Responder),
    /// Send the bytes, then stay connected without a word.
    RespondThenIdle(Responder),
    /// Read the request, never answer.
    Silent,
    /// Read the request, then reset the connection (RST).
    Reset,
    /// Send `head`, then `chunk` every `interval` (zero: as fast as the peer
    /// reads) until the peer leaves or [`LIFETIME`] ends.
    Stream {
        /// Status line and headers, blank line included.
        head: Vec<u8>,
        /// One piece of body.
        chunk: Vec<u8>,
        /// Pause between pieces.
        interval: Duration,
    },
}

impl Behaviour {
    /// [`Behaviour::Respond`] with fixed bytes.
    pub fn bytes(bytes: Vec<u8>) -> Behaviour {
        Behaviour::Respond(Arc::new(move |_| bytes.clone()))
    }
}

/// A running adversarial target.
pub struct Adversary {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    scheme: &'static str,
    heads: Arc<Mutex<Vec<Head>>>,
}

impl Adversary {
    /// Serves `behaviour` over plain HTTP.
    pub fn start(behaviour: Behaviour) -> Adversary {
        Adversary::launch(behaviour, None)
    }

    /// Serves `behaviour` over TLS with `config`.
    pub fn start_tls(behaviour: Behaviour, config: Arc<rustls::ServerConfig>) -> Adversary {
        Adversary::launch(behaviour, Some(TlsAcceptor::from(config)))
    }

    fn launch(behaviour: Behaviour, tls: Option<TlsAcceptor>) -> Adversary {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let seen = Arc::clone(&heads);
        runtime.spawn(async move {
            let _ = tokio::time::timeout(LIFETIME, async move {
                // Bounded: LIFETIME, and at most this many connections.
                for _ in 0..10_000 {
                    let Ok((stream, _)) = listener.accept().await else {
                        break;
                    };
                    let behaviour = behaviour.clone();
                    let seen = Arc::clone(&seen);
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(LIFETIME, async move {
                            match tls {
                                None => serve(stream, behaviour, seen).await,
                                Some(acceptor) => {
                                    if let Ok(stream) = acceptor.accept(stream).await {
                                        serve(stream, behaviour, seen).await;
                                    }
                                }
                            }
                        })
                        .await;
                    });
                }
            })
            .await;
        });
        Adversary {
            runtime: Some(runtime),
            addr,
            scheme,
            heads,
        }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The request heads received so far.
    pub fn heads(&self) -> Vec<Head> {
        self.heads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Adversary {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The marker trait for the streams served (TCP or TLS over TCP).
trait Io: AsyncRead + AsyncWrite + Unpin + Send {
    /// Resets the connection instead of closing it, where possible.
    fn reset(self);
}

impl Io for tokio::net::TcpStream {
    fn reset(self) {
        let _ = self.set_zero_linger();
        drop(self);
    }
}

impl Io for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn reset(self) {
        let (tcp, _) = self.into_inner();
        tcp.reset();
    }
}

async fn serve(mut stream: impl Io, behaviour: Behaviour, seen: Arc<Mutex<Vec<Head>>>) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(head.clone());
    match behaviour {
        Behaviour::Respond(responder) => {
            let _ = stream.write_all(&responder(&head)).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Behaviour::RespondThenIdle(responder) => {
            let _ = stream.write_all(&responder(&head)).await;
            let _ = stream.flush().await;
            idle(&mut stream).await;
        }
        Behaviour::Silent => idle(&mut stream).await,
        Behaviour::Reset => stream.reset(),
        Behaviour::Stream {
            head,
            chunk,
            interval,
        } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let started = Instant::now();
            // Bounded by LIFETIME and by this count (5 GiB of 64 KiB pieces).
            for _ in 0..100_000u32 {
                if started.elapsed() > LIFETIME || stream.write_all(&chunk).await.is_err() {
                    break;
                }
                let _ = stream.flush().await;
                if !interval.is_zero() {
                    tokio::time::sleep(interval).await;
                }
            }
        }
    }
}

/// Waits, saying nothing, until the peer leaves (or LIFETIME ends the task).
async fn idle(stream: &mut impl Io) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

/// Reads up to the blank line that ends a request head.
async fn read_head(stream: &mut impl Io) -> Option<Head> {
    let mut buf = Vec::new();
    let mut piece = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut piece).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(piece.get(..n)?);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n");
    let target = lines
        .next()?
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Head { target, headers })
}

/// A response with a status line, extra header lines and a body (Content-Length set).
pub fn response(status: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for header in headers {
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let _ = write!(
        out,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.extend_from_slice(body);
    out
}

/// A 200 `application/json` response with `body`.
pub fn json_200(body: &[u8]) -> Vec<u8> {
    response("200 OK", &["Content-Type: application/json"], body)
}

/// A body the contract accepts (the document's own example, one deployment).
pub const CONFORMANT_BODY: &str = r#"{"software_deployments": [{
  "status": "COMPLETE",
  "server_id": "ec14c864-096e-4e27-bb8a-2c2b4dc6f3f5",
  "config_id": "8da95794-2ad9-4979-8ae5-739ce314c5cd",
  "output_values": {"deploy_stdout": "ok", "deploy_status_code": 0},
  "input_values": {},
  "action": "CREATE",
  "status_reason": "Outputs received",
  "id": "ef422fa5-719a-419e-a10c-72e3a367b0b8",
  "creation_time": "2015-01-31T15:12:36Z",
  "updated_time": "2015-01-31T15:18:21Z"
}]}"#;

/// Certificates made for one test: a CA, a server certificate it signed for
/// 127.0.0.1, and a client certificate it signed, written as PEM files.
pub struct Pki {
    /// Keeps the files.
    _dir: tempfile::TempDir,
    /// The CA certificate (what `--cacert` trusts).
    pub ca_pem: PathBuf,
    /// A client certificate the CA signed.
    pub client_cert: PathBuf,
    /// Its key.
    pub client_key: PathBuf,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
    ca_der: rustls::pki_types::CertificateDer<'static>,
    /// A self-signed certificate for 127.0.0.1 marked as a CA (`CA:TRUE`), as
    /// `openssl req -x509` makes by default.
    pub self_signed_ca_pem: PathBuf,
    self_signed_ca: (rustls::pki_types::CertificateDer<'static>, Vec<u8>),
}

impl Pki {
    /// Makes the certificates.
    pub fn new() -> Pki {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
            KeyPair, KeyUsagePurpose,
        };
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sdconform test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
        let issuer = Issuer::from_params(&ca_params, &ca_key);

        let server_key = KeyPair::generate().expect("server key");
        let mut server_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("server params");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .expect("server cert");

        let client_key = KeyPair::generate().expect("client key");
        let mut client_params = CertificateParams::new(Vec::<String>::new()).expect("params");
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        client_params
            .distinguished_name
            .push(DnType::CommonName, "sdconform test client");
        let client_cert = client_params
            .signed_by(&client_key, &issuer)
            .expect("client cert");

        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| -> PathBuf {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write PEM");
            path
        };
        let ca_pem = write("ca.pem", &ca_cert.pem());
        let own_key = KeyPair::generate().expect("self-signed key");
        let mut own_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("self-signed params");
        own_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        own_params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        let own_cert = own_params.self_signed(&own_key).expect("self-signed cert");
        let self_signed_ca_pem = write("self-signed-ca.pem", &own_cert.pem());
        let client_cert_path = write("client.pem", &client_cert.pem());
        let client_key_path = write("client.key", &client_key.serialize_pem());
        Pki {
            ca_pem,
            client_cert: client_cert_path,
            client_key: client_key_path,
            server_chain: vec![server_cert.der().clone()],
            server_key: server_key.serialize_der(),
            ca_der: ca_cert.der().clone(),
            self_signed_ca_pem,
            self_signed_ca: (own_cert.der().clone(), own_key.serialize_der()),
            _dir: dir,
        }
    }

    /// The DER of the certificate [`Pki::server_config`] presents (issue 12: a
    /// bundle's manifest names its SHA-256).
    pub fn server_certificate_der(&self) -> &[u8] {
        self.server_chain.first().map_or(&[], |der| der.as_ref())
    }

    /// A server config presenting the self-signed CA certificate as its own.
    pub fn self_signed_ca_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.self_signed_ca.1.clone().into());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![self.self_signed_ca.0.clone()], key)
            .expect("server cert and key");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }

    /// A server config presenting the CA-signed certificate; with
    /// `require_client_cert`, only clients with a certificate the CA signed get in.
    pub fn server_config(&self, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca_der.clone()).expect("CA root");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let mut config = builder
            .with_single_cert(self.server_chain.clone(), key)
            .expect("server cert and key");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// `path` as a `&str` argument.
pub fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
