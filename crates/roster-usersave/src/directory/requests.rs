//! Building requests for the profile's endpoints and reading single-object replies.

use roster_core::{DirectoryError, Result};

use super::UsersaveDirectory;
use crate::api::ApiRequest;
use crate::builder::unset_error;
use crate::errors::decode;
use crate::http::Reply;
use crate::ordered_map::WireObject;
use crate::profile::Endpoint;

impl UsersaveDirectory {
    /// A request to `endpoint` about object `id`: the id goes into the path where it holds
    /// `{id}`, else into `id_param`; then the constant parameters and the instance scope.
    pub(super) fn request(&self, endpoint: &Endpoint, id: Option<&str>) -> Result<ApiRequest> {
        let vars = self.vars.clone().with("id", id);
        let path = vars
            .fill(&endpoint.path)
            .map_err(unset_error)?
            .unwrap_or_default();
        let mut query = Vec::new();
        if let (Some(id), Some(param)) = (id, &endpoint.id_param) {
            if !endpoint.path.contains("{id}") {
                query.push((param.clone(), id.to_owned()));
            }
        }
        for (name, value) in endpoint.params.iter() {
            if let Some(value) = vars.fill(value).map_err(unset_error)? {
                query.push((name.to_owned(), value));
            }
        }
        if let (Some(param), Some(instance)) = (&endpoint.scope_param, self.instance_id()) {
            query.push((param.clone(), instance));
        }
        Ok(ApiRequest {
            method: endpoint.method.to_reqwest(),
            path,
            query,
            body: None,
            repeatable: true,
            secrets: Vec::new(),
        })
    }

    /// The configured instance, if any.
    pub(super) fn instance_id(&self) -> Option<String> {
        self.vars.fill("{instance_id}").ok().flatten()
    }

    /// Sends a read of one object: `Ok(None)` on a 404.
    pub(super) async fn fetch_optional(&self, request: &ApiRequest) -> Result<Option<WireObject>> {
        let reply = self.api.send(request).await?;
        if reply.status == 404 {
            return Ok(None);
        }
        if !reply.is_success() {
            return Err(self.api.error(&reply, request.repeatable));
        }
        object_of(&reply)?
            .map(Some)
            .ok_or_else(|| decode("reply", "an empty body where an object was expected"))
    }
}

/// A reply body as one JSON object; `None` for an empty body.
pub(super) fn object_of(reply: &Reply) -> Result<Option<WireObject>> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<WireObject>(&reply.body)
        .map(Some)
        .map_err(|error| decode("reply", error))
}

/// `request` carrying `body` as JSON.
pub(super) fn with_body(
    mut request: ApiRequest,
    body: &WireObject,
    repeatable: bool,
) -> ApiRequest {
    request.body = Some(body.to_json_bytes());
    request.repeatable = repeatable;
    request
}

/// The endpoint, or the operation is unsupported (callers check capabilities first, so this
/// only guards against a profile changed underneath).
pub(super) fn needed<T>(endpoint: &Option<T>, operation: roster_core::Operation) -> Result<&T> {
    endpoint
        .as_ref()
        .ok_or_else(|| DirectoryError::unsupported(operation))
}
