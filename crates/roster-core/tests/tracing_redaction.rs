//! The tracing layer records site, backend, operation and key, and never a secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use roster_core::{DirectoryExt, MemoryDirectory, NewUser, SecretString, UserDirectory};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CANARY: &str = "canary-Pa55w0rd-e1f9";

#[tokio::test]
async fn traces_name_the_call_but_never_the_password() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let traced = MemoryDirectory::new("club").traced();
    let user = NewUser {
        email: Some("ann@example.org".into()),
        password: Some(SecretString::from(CANARY)),
        ..NewUser::default()
    };
    traced.create_user(&user).await.unwrap();
    traced.create_user(&user).await.unwrap_err(); // the failure path logs too
    tracing::debug!(?user, "a careless log of the whole user");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("create_user"), "{text}");
    assert!(text.contains("site=club"), "{text}");
    assert!(text.contains("ann@example.org"), "{text}");
    assert!(text.contains("already exists"), "{text}");
    assert!(!text.contains(CANARY), "a secret reached the log:\n{text}");
    assert!(!serde_json::to_string(&user).unwrap().contains(CANARY));
}
