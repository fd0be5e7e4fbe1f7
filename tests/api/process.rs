//! The real `linkbroker serve` binary as a child process, with its stdout and
//! stderr captured, so tests can read exactly what an operator's log would.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use linkbroker::store::Store;
use wiremock::MockServer;

use crate::helpers::{api_client, app_env, fresh_database, Backend, TempDir, TestApp};

/// A served binary; killed when dropped.
pub struct ServedBinary {
    pub app: TestApp,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServedBinary {
    /// Everything the process wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as an orchestrator does on shutdown.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Stops the process and returns everything it wrote.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Let the reader threads drain the closed pipes.
        std::thread::sleep(Duration::from_millis(200));
        self.output()
    }
}

/// Copies a pipe into `sink` line by line, reporting the listen address.
fn collect(pipe: impl Read + Send + 'static, sink: Arc<Mutex<String>>, address: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                let addr: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
                let _ = address.send(addr);
            }
            let mut out = sink.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    });
}

/// Runs `linkbroker serve` on a fresh database with a mock LWA; `env` adds
/// or overrides settings.
pub async fn serve_binary(backend: Backend, env: &[(&str, &str)]) -> Option<ServedBinary> {
    let (database_url, dir) = fresh_database(backend).await?;
    Some(serve_binary_on(database_url, dir, env).await)
}

/// Runs `linkbroker serve` on `database_url` (the test's own connection; the
/// binary's may be overridden in `env`, e.g. to go through a proxy).
pub async fn serve_binary_on(database_url: String, dir: Option<TempDir>, env: &[(&str, &str)]) -> ServedBinary {
    let lwa = MockServer::start().await;
    let vars = app_env(&lwa.uri(), &database_url, env);
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkbroker"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let output = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    collect(child.stdout.take().unwrap(), output.clone(), tx.clone());
    collect(child.stderr.take().unwrap(), output.clone(), tx);
    let address = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(a) => a,
        Err(_) => {
            let _ = child.kill();
            panic!("the binary never logged its address:\n{}", output.lock().unwrap());
        }
    };
    let store = Store::connect(&database_url).await.expect("the test reaches the database");
    let app = TestApp {
        base: format!("http://{address}"),
        store,
        lwa,
        api: api_client(),
        database_url,
        clock: Default::default(),
        keys: None,
        _dir: dir,
    };
    ServedBinary { app, child, output }
}
