//! Content associations: which OAuth integrations a content item may use. A child of `client`
//! so it shares `send` and the retry loop behind it.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::transport::NotFound;
use super::{guid_segment, json_body, Client};
use crate::connect::Error;

/// One association as Connect lists it; only the integration's guid matters to callers.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Association {
    /// The integration the content may use.
    pub oauth_integration_guid: String,
    /// Sent alongside by Connect; callers go by the guid, which a rename leaves alone.
    #[serde(default)]
    pub oauth_integration_name: Option<String>,
}

/// One content item using an integration, as `GET /v1/oauth/integrations/{guid}/associations`
/// lists it. Connect names the content `content_guid` from 2025.07.0 on, and only `app_guid`
/// before (deprecated since, still sent).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct IntegrationUse {
    /// The content item, from 2025.07.0 on; read it through [`IntegrationUse::content`].
    #[serde(default)]
    pub content_guid: Option<String>,
    /// The same guid by its older name, the only one before 2025.07.0.
    #[serde(default)]
    pub app_guid: Option<String>,
}

impl IntegrationUse {
    /// The content item's guid, by whichever name this server gives it; `None` when it gives none.
    pub fn content(&self) -> Option<&str> {
        [&self.content_guid, &self.app_guid].into_iter().flatten().map(String::as_str).find(|g| !g.is_empty())
    }
}

#[derive(Serialize)]
struct AssociationRef<'a> {
    oauth_integration_guid: &'a str,
}

impl Client {
    fn content_associations_url(&self, content: &str) -> Result<reqwest::Url, Error> {
        Ok(self.endpoint(&["v1", "content", guid_segment(content)?, "oauth", "integrations", "associations"]))
    }

    /// `GET /v1/content/{guid}/oauth/integrations/associations`; `None` only when the content
    /// is surely gone: Connect's "object does not exist" error, or a 404 that says nothing clear
    /// confirmed by `GET /v1/content/{guid}` (the content API, older than the OAuth one)
    /// answering 404 too. "Endpoint does not exist" (a server without the OAuth API), an HTML
    /// page (a proxy) or content that is still there make the 404 an error, never "gone".
    pub async fn content_associations(&self, content: &str) -> Result<Option<Vec<Association>>, Error> {
        let url = self.content_associations_url(content)?;
        let answer = self.send(Method::GET, url, None).await?;
        match answer.not_found() {
            None => answer.json().map(Some),
            Some(NotFound::Object) => Ok(None),
            Some(NotFound::Unclear) => match self.content_item(content).await {
                Ok(None) => Ok(None),
                _ => Err(answer.into_error()),
            },
            Some(NotFound::Endpoint | NotFound::Page) => Err(answer.into_error()),
        }
    }

    /// `GET /v1/oauth/integrations/{guid}/associations`: the content items using an
    /// integration; `None` only when the integration is gone: Connect says the object does not
    /// exist (code 4), or the 404 is unclear (Connect's body for a missing integration is not
    /// recorded) and [`Client::get_integration`] finds no such integration. Any other 404 (a
    /// server without this endpoint, a proxy's page, an unclear one for an integration that is
    /// there) is an error: the caller asks to know what deleting the integration breaks, and
    /// "nothing" must not be guessed.
    pub async fn integration_associations(&self, integration: &str) -> Result<Option<Vec<IntegrationUse>>, Error> {
        let url = self.endpoint(&["v1", "oauth", "integrations", guid_segment(integration)?, "associations"]);
        let answer = self.send(Method::GET, url, None).await?;
        match answer.not_found() {
            None => answer.json().map(Some),
            Some(NotFound::Object) => Ok(None),
            Some(NotFound::Unclear) => match self.get_integration(integration).await {
                Ok(None) => Ok(None),
                _ => Err(answer.into_error()),
            },
            Some(NotFound::Endpoint | NotFound::Page) => Err(answer.into_error()),
        }
    }

    /// `PUT /v1/content/{guid}/oauth/integrations/associations`: replaces the whole set; an empty
    /// slice removes every association.
    pub async fn set_content_associations(&self, content: &str, integrations: &[String]) -> Result<(), Error> {
        let url = self.content_associations_url(content)?;
        let body: Vec<AssociationRef<'_>> =
            integrations.iter().map(|g| AssociationRef { oauth_integration_guid: g }).collect();
        self.send(Method::PUT, url, Some(json_body(&body))).await?.success().map(|_| ())
    }
}
