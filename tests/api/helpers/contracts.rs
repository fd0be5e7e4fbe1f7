//! Outside contracts the tests check linkbroker against, obtained from
//! public registries when the tests run (never copied into this
//! repository): Amazon's Smart Home message schema, and Python's
//! `jsonschema` to read it (`tests/contracts/validate_json_schema.py`).
//!
//! Without `npm` or `python3 -m jsonschema` these checks are skipped with a
//! notice; with `LINKBROKER_REQUIRE_NODE=1` (set by `.ci/run`) they fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The only registry package that carries Amazon's own schema file
/// byte for byte (plus a final newline): `validation_schemas/
/// alexa_smart_home_message_schema.json` of alexa/alexa-smarthome as of
/// 2017-10-18. It models ChangeReport, Alexa.Response, the ErrorResponses
/// and the SceneController events; newer kinds (AddOrUpdateReport,
/// DoorbellPress) need the current file (`LINKBROKER_ALEXA_SCHEMA`).
const NPM_PACKAGE: &str = "homebridge-alexa@0.1.72";
const NPM_PATH: &str = "package/lib/alexa_smart_home_message_schema.json";
const NPM_SHA256: &str = "5bf559d096d8b277720d06d07312fd49835c84e2cf0e3823e62be552e37384aa";

/// Whether the outside-contract checks must run (CI) rather than skip.
pub fn contracts_required() -> bool {
    std::env::var("LINKBROKER_REQUIRE_NODE").is_ok_and(|v| v == "1")
}

/// Skips (with a notice) or, when required, fails.
fn missing(what: &str) -> Option<PathBuf> {
    assert!(!contracts_required(), "LINKBROKER_REQUIRE_NODE=1 but {what}");
    eprintln!("SKIPPED: {what}; set LINKBROKER_REQUIRE_NODE=1 to fail instead");
    None
}

pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Amazon's Smart Home message schema: the file `LINKBROKER_ALEXA_SCHEMA`
/// names (for example the current one from alexa-samples/alexa-smarthome),
/// else the copy npm serves, checked against its known SHA-256 and kept
/// under the target directory between runs.
pub fn amazon_smart_home_schema() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("LINKBROKER_ALEXA_SCHEMA") {
        return Some(PathBuf::from(path));
    }
    static FETCH: Mutex<()> = Mutex::new(());
    let _one_at_a_time = FETCH.lock().unwrap_or_else(|p| p.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("contracts");
    let schema = dir.join("alexa_smart_home_message_schema.json");
    if schema.exists() && sha256_of(&schema) == NPM_SHA256 {
        return Some(schema);
    }
    std::fs::create_dir_all(&dir).unwrap();
    let packed = std::process::Command::new("npm")
        .args(["pack", NPM_PACKAGE, "--silent", "--pack-destination"])
        .arg(&dir)
        .output();
    let Some(packed) = packed.ok().filter(|o| o.status.success()) else {
        return missing(&format!("`npm pack {NPM_PACKAGE}` failed (is npm installed and the registry reachable?)"));
    };
    let tarball = dir.join(String::from_utf8_lossy(&packed.stdout).trim());
    let unpacked =
        std::process::Command::new("tar").arg("xzf").arg(&tarball).arg("-C").arg(&dir).arg(NPM_PATH).status();
    assert!(unpacked.is_ok_and(|s| s.success()), "{NPM_PATH} is in {}", tarball.display());
    std::fs::rename(dir.join(NPM_PATH), &schema).unwrap();
    assert_eq!(sha256_of(&schema), NPM_SHA256, "{NPM_PACKAGE} no longer carries Amazon's schema unchanged");
    Some(schema)
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap_or_default()))
}

/// Each message's verdict under `schema` (draft-04): `None` when it
/// validates, else the first error. `None` overall when Python's
/// `jsonschema` is missing and not required.
pub fn validate(schema: &Path, messages: &BTreeMap<String, Value>) -> Option<BTreeMap<String, Option<String>>> {
    let file = std::env::temp_dir().join(format!("lb-messages-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, serde_json::to_vec(messages).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(repo_file("tests/contracts/validate_json_schema.py"))
        .arg(schema)
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'jsonschema'") => {
            missing("Python's jsonschema is not installed (python3 -m pip install jsonschema)")?;
            unreachable!()
        }
        Ok(o) => panic!("the schema validator failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            missing(&format!("python3 cannot run ({e})"))?;
            unreachable!()
        }
    };
    Some(serde_json::from_slice(&out.stdout).expect("the validator prints its verdicts as JSON"))
}

/// `npm ci` in `dir` (a folder of this repository), once per test run;
/// `false` (with a notice) when npm cannot run and it is not required.
pub fn npm_installed(dir: &Path) -> bool {
    static DONE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap_or_else(|p| p.into_inner());
    if done.iter().any(|d| d == dir) {
        return true;
    }
    let out = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefer-offline"])
        .current_dir(dir)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            done.push(dir.to_path_buf());
            true
        }
        Ok(o) => {
            missing(&format!("`npm ci` in {} failed: {}", dir.display(), String::from_utf8_lossy(&o.stderr))).is_some()
        }
        Err(e) => missing(&format!("npm cannot run ({e})")).is_some(),
    }
}

/// What a real OpenAPI validator (`openapi-spec-validator` from PyPI) says
/// of `doc`: `Some(Ok(()))` valid, `Some(Err(why))` not; `None` when the
/// validator is missing and not required.
pub fn validate_openapi(doc: &Value) -> Option<Result<(), String>> {
    let file = std::env::temp_dir().join(format!("lb-openapi-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, serde_json::to_vec(doc).unwrap()).unwrap();
    let out = std::process::Command::new("python3").args(["-m", "openapi_spec_validator"]).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            missing("openapi-spec-validator is not installed (python3 -m pip install openapi-spec-validator)")?;
            unreachable!()
        }
        Ok(o) if o.status.success() => Some(Ok(())),
        Ok(o) => Some(Err(format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))),
        Err(e) => {
            missing(&format!("python3 cannot run ({e})"))?;
            unreachable!()
        }
    }
}
