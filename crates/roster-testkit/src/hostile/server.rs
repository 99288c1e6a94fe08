//! A loopback HTTP/1.1 server written on raw TCP, so it can send what a well-behaved server
//! library refuses to: any status line, a `Content-Length` that lies, a chunked or unframed
//! body that never ends, or bytes that are no HTTP at all.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Most bytes an endless body sends before the server gives up on the client hanging up. A
/// client that reads past its cap reads this much and then sees the body end.
pub const ENDLESS_CEILING: u64 = 64 * 1024 * 1024;

/// Longest request head the server reads; clients under test send far less.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Bytes per chunk of a chunked or endless body.
const CHUNK_BYTES: usize = 8 * 1024;

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path and the query, as sent.
    pub target: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body (read by its `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query, if any.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(header, _)| *header == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How a body goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// With a truthful `Content-Length`.
    Sized(Vec<u8>),
    /// Chunked, without a length.
    Chunked(Vec<u8>),
    /// Neither a length nor chunks: the body ends when the connection closes.
    Unframed(Vec<u8>),
    /// Filler until the client hangs up (or [`ENDLESS_CEILING`] is reached).
    Endless(Framing),
    /// These bytes instead of a whole response, status line and headers included.
    Raw(Vec<u8>),
}

/// How an endless body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length` announces this many bytes.
    Announced(u64),
    /// Chunked, without a length.
    Chunked,
    /// No framing: until the connection closes.
    Unframed,
}

impl std::fmt::Debug for Body {
    /// Long bodies show as their length and a short prefix, so a failing case stays readable.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = |name: &str, bytes: &[u8], f: &mut std::fmt::Formatter<'_>| {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            write!(f, "{name}({} bytes: {head:?})", bytes.len())
        };
        match self {
            Body::Sized(body) => bytes("Sized", body, f),
            Body::Chunked(body) => bytes("Chunked", body, f),
            Body::Unframed(body) => bytes("Unframed", body, f),
            Body::Raw(body) => bytes("Raw", body, f),
            Body::Endless(framing) => write!(f, "Endless({framing:?})"),
        }
    }
}

/// What the server answers to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Any number from 100 to 999 (ignored for [`Body::Raw`]).
    pub status: u16,
    /// Extra headers, `Content-Type` among them when wanted.
    pub headers: Vec<(String, String)>,
    /// The body and how it is framed.
    pub body: Body,
}

impl Reply {
    /// `status` with `body` sent with its length and no other header.
    pub fn new(status: u16, body: Body) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// A 200 with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, Body::Sized(body.into())).with_header("content-type", "application/json")
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Responder = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A loopback server whose answers the test sets with [`HostileServer::respond`].
///
/// It serves each request on its own connection and closes it after the reply. Its tasks run
/// on the runtime that started it and end with that runtime.
pub struct HostileServer {
    base_url: String,
    state: Arc<State>,
}

struct State {
    responder: RwLock<Responder>,
    requests: AtomicUsize,
    endless_started: AtomicUsize,
    endless_hung_up: AtomicUsize,
    endless_completed: AtomicUsize,
    endless_bytes: AtomicU64,
}

impl HostileServer {
    /// Binds an ephemeral port on 127.0.0.1 and starts serving: 404 until told otherwise.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let state = Arc::new(State {
            responder: RwLock::new(Arc::new(|_: &Request| Reply::new(404, Body::Sized(vec![])))),
            requests: AtomicUsize::new(0),
            endless_started: AtomicUsize::new(0),
            endless_hung_up: AtomicUsize::new(0),
            endless_completed: AtomicUsize::new(0),
            endless_bytes: AtomicU64::new(0),
        });
        tokio::spawn(accept(listener, state.clone()));
        Self {
            base_url: format!("http://{address}"),
            state,
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Answers every request from now on with what `responder` makes of it.
    pub fn respond(&self, responder: impl Fn(&Request) -> Reply + Send + Sync + 'static) {
        *self.state.responder.write().expect("the responder lock") = Arc::new(responder);
    }

    /// Answers every request from now on with `reply`.
    pub fn respond_always(&self, reply: Reply) {
        self.respond(move |_| reply.clone());
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Endless bodies started so far.
    pub fn endless_started(&self) -> usize {
        self.state.endless_started.load(Ordering::SeqCst)
    }

    /// Endless bodies that ended because the client hung up (rather than at the ceiling).
    pub fn endless_hung_up(&self) -> usize {
        self.state.endless_hung_up.load(Ordering::SeqCst)
    }

    /// Bytes of endless bodies the network accepted so far.
    pub fn endless_bytes(&self) -> u64 {
        self.state.endless_bytes.load(Ordering::SeqCst)
    }

    /// Endless bodies sent whole, up to [`ENDLESS_CEILING`]: the client read them all.
    pub fn endless_completed(&self) -> usize {
        self.state.endless_completed.load(Ordering::SeqCst)
    }

    /// Waits until every endless body started so far has ended, one way or the other, checking
    /// every 10 ms for at most 10 s (the client has already returned when this is called).
    pub async fn endless_settled(&self) {
        for _ in 0..1000 {
            if self.endless_hung_up() + self.endless_completed() >= self.endless_started() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

async fn accept(listener: TcpListener, state: Arc<State>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(serve(stream, state.clone()));
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    state.requests.fetch_add(1, Ordering::SeqCst);
    let responder = state.responder.read().expect("the responder lock").clone();
    let reply = responder(&request);
    // A client that hangs up early is what the tests provoke: nothing to report.
    let _ = write_reply(&mut stream, &reply, &state).await;
    let _ = stream.shutdown().await;
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; (length - body.len()).min(64 * 1024)];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

async fn write_reply(stream: &mut TcpStream, reply: &Reply, state: &State) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Hostile\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("connection: close\r\n");
    match &reply.body {
        Body::Sized(body) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await
        }
        Body::Chunked(body) => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            stream.write_all(head.as_bytes()).await?;
            for chunk in body.chunks(CHUNK_BYTES) {
                write_chunk(stream, chunk).await?;
            }
            stream.write_all(b"0\r\n\r\n").await
        }
        Body::Unframed(body) => {
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await
        }
        Body::Raw(bytes) => stream.write_all(bytes).await,
        Body::Endless(framing) => {
            match framing {
                Framing::Announced(length) => {
                    head.push_str(&format!("content-length: {length}\r\n"));
                }
                Framing::Chunked => head.push_str("transfer-encoding: chunked\r\n"),
                Framing::Unframed => {}
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream_endless(stream, *framing, state).await
        }
    }
}

async fn write_chunk(stream: &mut TcpStream, chunk: &[u8]) -> std::io::Result<()> {
    stream
        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
        .await?;
    stream.write_all(chunk).await?;
    stream.write_all(b"\r\n").await
}

/// Filler until the client hangs up; counted, so a test can tell a client that stopped
/// reading from one that read everything.
async fn stream_endless(
    stream: &mut TcpStream,
    framing: Framing,
    state: &State,
) -> std::io::Result<()> {
    state.endless_started.fetch_add(1, Ordering::SeqCst);
    let filler = [b'x'; CHUNK_BYTES];
    let mut sent = 0u64;
    while sent < ENDLESS_CEILING {
        let written = match framing {
            Framing::Chunked => write_chunk(stream, &filler).await,
            Framing::Announced(_) | Framing::Unframed => stream.write_all(&filler).await,
        };
        if let Err(error) = written {
            state.endless_hung_up.fetch_add(1, Ordering::SeqCst);
            return Err(error);
        }
        sent += filler.len() as u64;
        state
            .endless_bytes
            .fetch_add(filler.len() as u64, Ordering::SeqCst);
    }
    state.endless_completed.fetch_add(1, Ordering::SeqCst);
    if framing == Framing::Chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    Ok(())
}
