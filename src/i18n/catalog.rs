//! The catalogs, parsed once from the `.ftl` files compiled into the
//! binary, and message formatting with English as the fallback.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::Lang;

/// The `.ftl` source of each language, in `Lang::ALL` order.
pub(super) const SOURCES: [(Lang, &str); 8] = [
    (Lang::En, include_str!("../../locales/en.ftl")),
    (Lang::De, include_str!("../../locales/de.ftl")),
    (Lang::Fr, include_str!("../../locales/fr.ftl")),
    (Lang::Es, include_str!("../../locales/es.ftl")),
    (Lang::It, include_str!("../../locales/it.ftl")),
    (Lang::Ja, include_str!("../../locales/ja.ftl")),
    (Lang::PtBr, include_str!("../../locales/pt-BR.ftl")),
    (Lang::Hi, include_str!("../../locales/hi.ftl")),
];

static BUNDLES: LazyLock<Vec<(Lang, FluentBundle<FluentResource>)>> =
    LazyLock::new(|| SOURCES.iter().map(|(lang, source)| (*lang, bundle(*lang, source))).collect());

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    // A syntax error drops only the broken entries; the unit tests keep
    // the shipped files free of them.
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
        tracing::error!(lang = lang.tag(), errors = errors.len(), "catalog has syntax errors");
        partial
    });
    let mut bundle = FluentBundle::new_concurrent(vec![lang.id()]);
    // No Unicode isolation marks around placeables: every language here is
    // left-to-right, and the marks would end up in speech and in tests.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(lang = lang.tag(), errors = errors.len(), "catalog has duplicate messages");
    }
    bundle
}

fn bundle_for(lang: Lang) -> &'static FluentBundle<FluentResource> {
    let bundles = &*BUNDLES;
    bundles.iter().find(|(l, _)| *l == lang).map(|(_, b)| b).unwrap_or(&bundles[0].1)
}

/// A value for a message's `{ $name }`.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(usize),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        Arg::Number(n)
    }
}

/// Message `id` in `lang`, else in English, else the id itself in brackets
/// (which the page tests look for).
pub fn text(lang: Lang, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match *value {
            Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s)),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(n)),
        }
    }
    for lang in [lang, Lang::En] {
        if let Some(found) = format(bundle_for(lang), id, &fluent_args) {
            return found;
        }
        tracing::warn!(lang = lang.tag(), id, "message missing from catalog");
    }
    format!("[{id}]")
}

fn format(bundle: &FluentBundle<FluentResource>, id: &str, args: &FluentArgs<'_>) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let formatted: Cow<'_, str> = bundle.format_pattern(pattern, Some(args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(lang = ?bundle.locales.first(), id, errors = errors.len(), "message formatting failed");
    }
    Some(formatted.into_owned())
}

/// Stand-in for an emphasized value while the rest of a message is escaped:
/// a private-use character no catalog contains.
const MARK: &str = "\u{E000}";

/// A page's words in one language, for the templates (`{{ t.get("id") }}`).
/// Askama escapes what these return, except `strong`, which escapes itself.
#[derive(Debug, Clone, Copy)]
pub struct Words(pub Lang);

impl Words {
    pub fn tag(&self) -> &'static str {
        self.0.tag()
    }

    pub fn get(&self, id: &str) -> String {
        text(self.0, id, &[])
    }

    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        text(self.0, id, &[(name, value.into())])
    }

    /// Escaped HTML: the message with `value` as `{ $name }`, in `<strong>`
    /// (wherever the language puts it). Use with `|safe`.
    pub fn strong(&self, id: &str, name: &str, value: &str) -> String {
        let message = text(self.0, id, &[(name, MARK.into())]);
        let strong = format!("<strong>{}</strong>", escape(value));
        escape(&message).replace(MARK, &strong)
    }
}

fn escape(s: &str) -> String {
    askama::MarkupDisplay::new_unsafe(s, askama::Html).to_string()
}
