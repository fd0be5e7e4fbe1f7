//! The catalogs parse, agree with English on every message's variables and
//! format in every language; the language choice reads tags as people and
//! platforms send them. (That every catalog has every English id is a
//! build error: build.rs.)

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::catalog::SOURCES;
use super::{text, Arg, Lang, Words};

/// Variables (`$x`) and references (`other-message`, `-term`) of each
/// message and term, by id.
fn placeables(source: &str, lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("locales/{}.ftl does not parse: {errors:?}", lang.tag()));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        let (id, pattern) = match entry {
            ast::Entry::Message(m) => (m.id.name.to_string(), m.value),
            ast::Entry::Term(t) => (format!("-{}", t.id.name), Some(t.value)),
            _ => continue,
        };
        let mut names = BTreeSet::new();
        if let Some(p) = pattern {
            collect_pattern(&p, &mut names);
        }
        out.insert(id, names);
    }
    out
}

fn collect_pattern(pattern: &ast::Pattern<&str>, names: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            collect_expression(expression, names);
        }
    }
}

fn collect_expression(expression: &ast::Expression<&str>, names: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, names);
            for v in variants {
                collect_pattern(&v.value, names);
            }
        }
        ast::Expression::Inline(inline) => collect_inline(inline, names),
    }
}

fn collect_inline(inline: &ast::InlineExpression<&str>, names: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            names.insert(format!("${}", id.name));
        }
        ast::InlineExpression::MessageReference { id, .. } => {
            names.insert(id.name.to_string());
        }
        ast::InlineExpression::TermReference { id, .. } => {
            names.insert(format!("-{}", id.name));
        }
        ast::InlineExpression::Placeable { expression } => collect_expression(expression, names),
        _ => {}
    }
}

#[test]
fn every_catalog_parses_and_uses_the_english_variables() {
    let english = placeables(SOURCES[0].1, Lang::En);
    assert!(english.len() > 50, "the English catalog looks empty");
    for (lang, source) in SOURCES {
        let found = placeables(source, lang);
        for (id, names) in &english {
            assert_eq!(found.get(id), Some(names), "locales/{}.ftl: `{id}` must use exactly {names:?}", lang.tag());
        }
    }
}

/// Every message, in every language, with a value for each variable: no
/// fallback, no formatting error, nothing left unreplaced.
#[test]
fn every_message_formats_in_every_language() {
    let english = placeables(SOURCES[0].1, Lang::En);
    for lang in Lang::ALL {
        for (id, names) in english.iter().filter(|(id, _)| !id.starts_with('-')) {
            for count in [0, 1, 2, 5] {
                let args: Vec<(&str, Arg<'_>)> = names
                    .iter()
                    .filter_map(|n| n.strip_prefix('$'))
                    .map(|n| (n, if n == "count" { Arg::Number(count) } else { Arg::Text("X") }))
                    .collect();
                let out = text(lang, id, &args);
                assert!(!out.trim().is_empty() && !out.contains(['{', '}', '$']), "{} `{id}`: {out:?}", lang.tag());
                assert!(!out.starts_with('['), "{} `{id}` is missing", lang.tag());
            }
        }
    }
}

/// Strings in the code that look like message ids but are not.
const NOT_MESSAGES: &[&str] = &["consent-csrf", "app-to-app", "app-to-app-callback"];

/// Each string in the code and templates that looks like a message id is
/// one, and each English message is used by the code or another message:
/// no typo falls back to `[id]`, no translation is dead weight.
#[test]
fn the_code_uses_exactly_the_english_messages() {
    let english = placeables(SOURCES[0].1, Lang::En);
    let referenced: BTreeSet<&String> = english.values().flatten().collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for dir in ["src", "templates"] {
        visit(&root.join(dir), &mut |source| {
            for (i, piece) in source.split('"').enumerate() {
                let looks_like_id = i % 2 == 1
                    && piece.contains('-')
                    && piece.starts_with(|c: char| c.is_ascii_lowercase())
                    && piece.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && english.keys().any(|id| !id.starts_with('-') && id.split('-').next() == piece.split('-').next());
                if looks_like_id && !NOT_MESSAGES.contains(&piece) {
                    used.insert(piece.to_string());
                }
            }
        });
    }
    for id in &used {
        assert!(english.contains_key(id), "`{id}` is used but is not in locales/en.ftl");
    }
    for id in english.keys().filter(|id| !id.starts_with('-')) {
        assert!(used.contains(id) || referenced.contains(id), "`{id}` in locales/en.ftl is never used");
    }
}

fn visit(dir: &std::path::Path, f: &mut dyn FnMut(&str)) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            visit(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") && !path.ends_with("i18n/tests.rs") {
            f(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn ui_locales_takes_the_first_language_we_speak() {
    assert_eq!(Lang::from_ui_locales("fr-CA de"), Some(Lang::Fr));
    assert_eq!(Lang::from_ui_locales("zz-ZZ ja"), Some(Lang::Ja));
    assert_eq!(Lang::from_ui_locales("pt-PT"), Some(Lang::PtBr));
    assert_eq!(Lang::from_ui_locales("pt-BR"), Some(Lang::PtBr));
    assert_eq!(Lang::from_ui_locales("zh-TW ko"), None);
    assert_eq!(Lang::from_ui_locales(""), None);
    assert_eq!(Lang::from_ui_locales("%%% <script>"), None);
}

#[test]
fn accept_language_follows_the_weights() {
    assert_eq!(Lang::from_accept_language("de-CH,de;q=0.9,en;q=0.8"), Some(Lang::De));
    assert_eq!(Lang::from_accept_language("en;q=0.1, ja;q=0.9"), Some(Lang::Ja));
    assert_eq!(Lang::from_accept_language("es-419,es;q=0.9"), Some(Lang::Es));
    assert_eq!(Lang::from_accept_language("hi-IN"), Some(Lang::Hi));
    assert_eq!(Lang::from_accept_language("zh-CN,ko;q=0.5"), None);
    assert_eq!(Lang::from_accept_language("*"), None);
    assert_eq!(Lang::from_accept_language("fr;q=0, de;q=0.5"), Some(Lang::De));
    assert_eq!(Lang::from_accept_language("fr;q=2, it;q=abc, ja"), Some(Lang::Ja));
    assert_eq!(Lang::from_accept_language("fr;Q=0.1, it ; q = 0.5"), Some(Lang::It));
    assert_eq!(Lang::from_accept_language(&"x,".repeat(100_000)), None);
    assert_eq!(Lang::for_page(None, Some("it-IT,it;q=0.9")), Lang::It);
    assert_eq!(Lang::for_page(Some(Lang::Ja), Some("it-IT")), Lang::Ja);
    assert_eq!(Lang::for_page(None, None), Lang::En);
}

#[test]
fn alexa_locales_read_their_language() {
    for (locale, lang) in [
        ("en-US", Lang::En),
        ("en-IN", Lang::En),
        ("de-DE", Lang::De),
        ("fr-CA", Lang::Fr),
        ("es-MX", Lang::Es),
        ("es-US", Lang::Es),
        ("it-IT", Lang::It),
        ("ja-JP", Lang::Ja),
        ("pt-BR", Lang::PtBr),
        ("hi-IN", Lang::Hi),
        ("ar-SA", Lang::En),
        ("", Lang::En),
    ] {
        assert_eq!(Lang::from_alexa_locale(locale), lang, "{locale}");
    }
}

#[test]
fn tags_round_trip() {
    for lang in Lang::ALL {
        assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
    }
    assert_eq!(Lang::from_tag("pt"), None);
}

#[test]
fn strong_escapes_the_message_and_the_value() {
    let html = Words(Lang::En).strong("consent-alexa-intro", "client", "<Acme & Co>");
    assert_eq!(html, "<strong>&lt;Acme &amp; Co&gt;</strong> would like to link your account to Alexa.");
}

#[test]
fn english_speech_is_as_documented() {
    assert_eq!(text(Lang::En, "speech-hello", &[("name", "Sebastien".into())]), "Hello, Sebastien.");
    assert_eq!(text(Lang::De, "no-such-message", &[]), "[no-such-message]");
}
