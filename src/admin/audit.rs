//! The dashboard and the audit-log page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

#[allow(unused_imports)]
use super::filters;
use super::{AdminError, AdminSession};
use crate::store::{AuditQuery, AuditRow, DashboardCounts, SECURITY_ACTIONS};
use crate::web::{render, AppState};

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage<'a> {
    session: &'a AdminSession,
    counts: DashboardCounts,
    recent: Vec<AuditRow>,
}

pub async fn dashboard(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    let store = &state.auth.store;
    let counts = store.dashboard_counts(state.auth.clock.now()).await?;
    let recent = store.audit_entries(&AuditQuery { limit: 10, ..Default::default() }).await?;
    Ok(render(StatusCode::OK, &DashboardPage { session: &session, counts, recent }))
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct AuditFilter {
    #[serde(default)]
    action: String,
    /// A user id, client id, email or other text in the entry.
    #[serde(default)]
    subject: String,
    /// Dates as `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `<at>.<id>` of the last entry of the previous page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    before: String,
}

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    session: &'a AdminSession,
    filter: &'a AuditFilter,
    recent: Vec<AuditRow>,
    security_actions: &'a [&'a str],
    next: Option<String>,
}

/// `YYYY-MM-DD` to the unix second of its midnight (UTC).
fn parse_day(raw: &str) -> Result<Option<i64>, AdminError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || AdminError::BadInput("Dates are written YYYY-MM-DD.".into());
    let mut parts = raw.splitn(3, '-').map(|p| p.parse::<i64>().map_err(|_| bad()));
    let (y, m, d) = (parts.next().ok_or_else(bad)??, parts.next().ok_or_else(bad)??, parts.next().ok_or_else(bad)??);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok(Some(crate::clock::days_from_civil(y, m, d) * 86_400))
}

pub async fn log(
    req: HttpRequest,
    state: web::Data<AppState>,
    filter: web::Query<AuditFilter>,
) -> Result<HttpResponse, AdminError> {
    let session = AdminSession::require(&req, &state).await?;
    if filter.action.len() > 64 || filter.subject.len() > 200 {
        return Err(AdminError::BadInput("Filters are at most 200 characters.".into()));
    }
    let before = match filter.before.split_once('.') {
        None if filter.before.is_empty() => None,
        Some((at, id)) if !id.is_empty() && id.len() <= 64 => Some((
            at.parse::<i64>().map_err(|_| AdminError::BadInput("That page link is malformed.".into()))?,
            id.to_string(),
        )),
        _ => return Err(AdminError::BadInput("That page link is malformed.".into())),
    };
    let query = AuditQuery {
        action: Some(filter.action.trim().to_string()),
        subject: Some(filter.subject.trim().to_string()),
        since: parse_day(&filter.from)?,
        until: parse_day(&filter.to)?.map(|t| t + 86_399),
        before,
        limit: PAGE + 1,
    };
    let mut recent = state.auth.store.audit_entries(&query).await?;
    let next = if recent.len() as i64 > PAGE {
        recent.truncate(PAGE as usize);
        recent.last().map(|e| {
            let next = AuditFilter { before: format!("{}.{}", e.at, e.id), ..filter.0.clone() };
            format!("/admin/audit?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
        })
    } else {
        None
    };
    let page = AuditPage { session: &session, filter: &filter, recent, security_actions: &SECURITY_ACTIONS, next };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::parse_day;

    #[test]
    fn days_parse_to_utc_midnight_and_bad_dates_are_refused() {
        assert_eq!(parse_day("1970-01-01").unwrap(), Some(0));
        assert_eq!(parse_day("2000-03-01").unwrap(), Some(951_868_800));
        assert_eq!(parse_day("").unwrap(), None);
        for bad in ["2020-13-01", "yesterday", "2020-01", "1969-12-31"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
