//! A client's app-to-app settings (`client alexa-app`, the admin client
//! page, `PUT/DELETE /admin/api/clients/{id}/alexa-app`): the skill, the
//! stage users enable, and the skill's Alexa Client Id and Secret from the
//! console's account-linking page. The secret is sealed and write-only.

use super::{ManageError, Manager};
use crate::domain::Actor;
use crate::store::AlexaAppConfig;

/// The settings as an operator or admin typed them.
#[derive(Debug, Clone, Default)]
pub struct AlexaAppDraft {
    pub skill_id: String,
    /// `live` (the default) or `development`.
    pub stage: Option<String>,
    pub alexa_client_id: String,
    pub alexa_client_secret: String,
}

fn parse(draft: &AlexaAppDraft) -> Result<AlexaAppConfig, ManageError> {
    let skill_id = draft.skill_id.trim();
    let skill_ok = skill_id.starts_with("amzn1.ask.skill.")
        && skill_id.len() <= 128
        && skill_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !skill_ok {
        return Err(ManageError::Invalid(
            "the skill id is the one the Alexa developer console shows for the skill, e.g. amzn1.ask.skill.…".into(),
        ));
    }
    let stage = match draft.stage.as_deref().map(str::trim).unwrap_or("live") {
        "" | "live" => "live",
        "development" => "development",
        other => {
            return Err(ManageError::Invalid(format!(
                "the stage is live or development, not {other:?} (development: the skill's beta testers and \
                 the developer's own account)"
            )))
        }
    };
    let (client_id, secret) = (draft.alexa_client_id.trim(), draft.alexa_client_secret.trim());
    if client_id.is_empty() || client_id.len() > 200 || !client_id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ManageError::Invalid(
            "the Alexa Client Id is the one the console shows under Build > Account Linking, \"Alexa Client Id\" \
             (amzn1.application-oa2-client.…)"
                .into(),
        ));
    }
    if secret.is_empty() || secret.len() > 512 || !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ManageError::Invalid(
            "the Alexa Client Secret is the one shown beside the Alexa Client Id on the account-linking page".into(),
        ));
    }
    Ok(AlexaAppConfig {
        skill_id: skill_id.to_string(),
        stage: stage.to_string(),
        alexa_client_id: client_id.to_string(),
        alexa_client_secret: secret.to_string(),
    })
}

impl Manager {
    /// Turns app-to-app linking on (`Some`) or off for a client.
    pub async fn set_alexa_app(
        &self,
        actor: &Actor,
        id: &str,
        draft: Option<&AlexaAppDraft>,
    ) -> Result<(), ManageError> {
        let config = draft.map(parse).transpose()?;
        if id.len() > 64 || !self.store.set_alexa_app(id, config.as_ref(), self.now()).await? {
            return Err(ManageError::NotFound("client"));
        }
        self.forget_clients();
        let (action, detail) = match &config {
            Some(c) => (
                "client_alexa_app_set",
                serde_json::json!({ "skill_id": c.skill_id, "stage": c.stage, "alexa_client_id": c.alexa_client_id }),
            ),
            None => ("client_alexa_app_cleared", serde_json::json!({})),
        };
        self.record(actor, action, id, detail).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> AlexaAppDraft {
        AlexaAppDraft {
            skill_id: "amzn1.ask.skill.1234-abcd".into(),
            stage: None,
            alexa_client_id: "amzn1.application-oa2-client.abc".into(),
            alexa_client_secret: "s3cret".into(),
        }
    }

    #[test]
    fn a_console_copy_parses_and_the_stage_defaults_to_live() {
        let c = parse(&draft()).unwrap();
        assert_eq!(c.stage, "live");
        let dev = parse(&AlexaAppDraft { stage: Some("development".into()), ..draft() }).unwrap();
        assert_eq!(dev.stage, "development");
    }

    #[test]
    fn each_field_is_checked() {
        for bad in [
            AlexaAppDraft { skill_id: "my-skill".into(), ..draft() },
            AlexaAppDraft { stage: Some("beta".into()), ..draft() },
            AlexaAppDraft { alexa_client_id: " ".into(), ..draft() },
            AlexaAppDraft { alexa_client_secret: "has space".into(), ..draft() },
        ] {
            assert!(matches!(parse(&bad), Err(ManageError::Invalid(_))), "{bad:?}");
        }
    }
}
