//! Content associations: which OAuth integrations a content item may use. A child of `client`
//! so it shares the single-attempt `send` (and whatever retry wraps it).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::transport::NotFound;
use super::{json_body, Client};
use crate::connect::Error;

/// One association as Connect lists it; only the integration's guid matters to callers.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Association {
    pub oauth_integration_guid: String,
    #[serde(default)]
    pub oauth_integration_name: Option<String>,
}

#[derive(Serialize)]
struct AssociationRef<'a> {
    oauth_integration_guid: &'a str,
}

impl Client {
    fn content_associations_url(&self, content: &str) -> Result<reqwest::Url, Error> {
        if matches!(content, "" | "." | "..") {
            return Err(Error::InvalidGuid { guid: content.into() });
        }
        Ok(self.endpoint(&["v1", "content", content, "oauth", "integrations", "associations"]))
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
            Some(NotFound::Unclear) => {
                let item = self.endpoint(&["v1", "content", content]);
                match self.send(Method::GET, item, None).await.map(|a| a.not_found()) {
                    Ok(Some(NotFound::Object | NotFound::Unclear)) => Ok(None),
                    _ => Err(answer.into_error()),
                }
            }
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
