//! The words people see and hear, in their language (README "Languages").
//! The words themselves live in `locales/<tag>.ftl` (Fluent), one file per
//! language; this module picks the language and formats messages. Pages
//! take a `Words` for their language; the skill's speech calls `text`.

mod catalog;
#[cfg(test)]
mod tests;

use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use unic_langid::LanguageIdentifier;

pub use catalog::{text, Arg, Words};

/// A language we have a catalog for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    De,
    Fr,
    Es,
    It,
    Ja,
    PtBr,
    Hi,
}

/// At most this many preferences are read from one header or parameter; a
/// longer list says nothing more and only costs time.
const MAX_PREFERENCES: usize = 16;
/// A header or parameter longer than this is read up to here.
const MAX_PREFERENCE_LEN: usize = 1024;

impl Lang {
    pub const ALL: [Lang; 8] = [Lang::En, Lang::De, Lang::Fr, Lang::Es, Lang::It, Lang::Ja, Lang::PtBr, Lang::Hi];

    /// The BCP 47 tag, as in `<html lang>` and the catalog's file name.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Ja => "ja",
            Lang::PtBr => "pt-BR",
            Lang::Hi => "hi",
        }
    }

    /// The language whose tag is exactly `tag` (as stored with a request).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().unwrap_or_default()
    }

    /// `ui_locales` (OpenID Connect Core §3.1.2.1): space-separated tags in
    /// order of preference. The first we speak, if any.
    pub fn from_ui_locales(value: &str) -> Option<Lang> {
        let wanted: Vec<LanguageIdentifier> =
            bounded(value).split_whitespace().take(MAX_PREFERENCES).filter_map(|t| t.parse().ok()).collect();
        best(&wanted)
    }

    /// An `Accept-Language` header (RFC 9110 §12.5.4), by its weights.
    pub fn from_accept_language(value: &str) -> Option<Lang> {
        best(&by_weight(bounded(value)))
    }

    /// Alexa's `request.locale` (`de-DE`, `ja-JP`, `es-US`, ...); English
    /// when we have no catalog for it.
    pub fn from_alexa_locale(locale: &str) -> Lang {
        locale.parse::<LanguageIdentifier>().ok().and_then(|l| best(&[l])).unwrap_or(Lang::En)
    }

    /// A page's language: the one kept from `ui_locales`, then the
    /// browser's `Accept-Language`, else English.
    pub fn for_page(kept: Option<Lang>, accept_language: Option<&str>) -> Lang {
        kept.or_else(|| accept_language.and_then(Lang::from_accept_language)).unwrap_or(Lang::En)
    }
}

/// `de-CH, de;q=0.9, *;q=0.5` as tags by descending weight (ties keep
/// their order); `q=0` means "not this one", and `*` names no catalog.
/// (fluent-langneg's own parser ignores the weights.)
fn by_weight(header: &str) -> Vec<LanguageIdentifier> {
    let mut weighted: Vec<(u16, LanguageIdentifier)> = header
        .split(',')
        .take(MAX_PREFERENCES)
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let tag = parts.next().filter(|t| *t != "*")?;
            let weight = match parts.find_map(weight_of) {
                Some(q) => (q.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))? * 1000.0) as u16,
                None => 1000,
            };
            Some((weight, tag.parse().ok()?)).filter(|(w, _)| *w > 0)
        })
        .collect();
    weighted.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// The value of a `q=` parameter (any case, spaces allowed: RFC 9110 §12.4.2).
fn weight_of(param: &str) -> Option<&str> {
    let (key, value) = param.split_once('=')?;
    key.trim().eq_ignore_ascii_case("q").then(|| value.trim())
}

fn bounded(value: &str) -> &str {
    match value.char_indices().nth(MAX_PREFERENCE_LEN) {
        Some((end, _)) => &value[..end],
        None => value,
    }
}

/// The catalog that best serves `wanted`, in its order: an exact match,
/// then the same language in another region (`pt-PT` reads `pt-BR`,
/// `es-MX` reads `es`), as fluent-langneg's filtering does.
fn best(wanted: &[LanguageIdentifier]) -> Option<Lang> {
    let available: Vec<LanguageIdentifier> = Lang::ALL.iter().map(|l| l.id()).collect();
    let matched = negotiate_languages(wanted, &available, None, NegotiationStrategy::Lookup);
    let first = matched.first()?;
    Lang::ALL.into_iter().find(|l| l.id() == **first)
}
