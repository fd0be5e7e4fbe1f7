//! Fails the build when a catalog in `locales/` lacks a message that the
//! English one has, or has one English does not (README "Languages").
//! Only ids are compared here; the unit tests in `src/i18n/tests.rs` parse
//! the files properly and compare each message's variables.

use std::collections::BTreeSet;
use std::fs;

fn ids(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-'))
        .filter_map(|line| line.split_once('='))
        .map(|(id, _)| id.trim().to_string())
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let english = ids(&fs::read_to_string("locales/en.ftl").expect("locales/en.ftl"));
    let mut problems = Vec::new();
    let mut entries: Vec<_> = fs::read_dir("locales").expect("locales/").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "ftl")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let found = ids(&fs::read_to_string(path).expect("a readable catalog"));
        for id in english.difference(&found) {
            problems.push(format!("{} lacks `{id}`", path.display()));
        }
        for id in found.difference(&english) {
            problems.push(format!("{} has `{id}`, which locales/en.ftl does not", path.display()));
        }
    }
    if !problems.is_empty() {
        panic!("the catalogs disagree with locales/en.ftl:\n  {}", problems.join("\n  "));
    }
}
