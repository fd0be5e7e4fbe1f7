//! Reading what the app answers: redirects, form fields, links; and the
//! cookie-keeping browser that does not follow redirects.

use reqwest::header::LOCATION;

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub fn query_param(url: &str, key: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

pub fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string())
}

/// Pulls `name="X" value="Y"` out of a form (our templates are regular).
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The `href` of the link with `rel="REL"` (our templates put `href` first).
pub fn link_href(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    let stop = html[start..].find('"')?;
    Some(html[start..start + stop].to_string())
}
