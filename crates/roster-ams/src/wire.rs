//! Request bodies and reply shapes of the AMS endpoints (spec §2), field order as recorded.

use serde::{Deserialize, Serialize};

use crate::record::PersonRecord;

/// Login body (spec §2.1).
#[derive(Serialize)]
pub struct LoginBody<'a> {
    pub username: &'a str,
    pub password: &'a str,
    #[serde(rename = "loginProperties")]
    pub login_properties: LoginProperties<'a>,
}

#[derive(Serialize)]
pub struct LoginProperties<'a> {
    #[serde(rename = "appName")]
    pub app_name: &'a str,
    #[serde(rename = "clientTime")]
    pub client_time: String,
}

/// What roster needs from a login reply.
#[derive(Deserialize)]
pub struct LoginReply {
    pub user: Option<LoginUser>,
}

#[derive(Deserialize)]
pub struct LoginUser {
    /// The per-login upload token.
    #[serde(rename = "skypeName")]
    pub skype_name: Option<String>,
}

/// One usersearch identification entry (spec §5.2: never the key `email`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Identification {
    #[serde(rename = "username")]
    Username(String),
    #[serde(rename = "emailAddress")]
    Email(String),
}

/// usersearch body: `{"identification": [...]}`; empty means every user.
#[derive(Serialize)]
pub struct SearchBody<'a> {
    pub identification: &'a [Identification],
}

/// groupmembers body: `{"name": ["<group>", ...]}`.
#[derive(Serialize)]
pub struct GroupMembersBody<'a> {
    pub name: &'a [String],
}

/// listgroups body: `{"name": "<login username>"}`.
#[derive(Serialize)]
pub struct ListGroupsBody<'a> {
    pub name: &'a str,
}

/// listgroups reply.
#[derive(Deserialize)]
pub struct ListGroupsReply {
    pub name: Vec<String>,
}

/// usersearch and groupmembers replies: one group per identification entry or group name.
#[derive(Deserialize)]
pub struct SearchReply {
    pub results: Vec<SearchGroup>,
}

#[derive(Deserialize)]
pub struct SearchGroup {
    #[serde(default)]
    pub results: Option<Vec<SearchUser>>,
}

/// A user as usersearch projects it (spec §3.2); only the fields roster reads.
#[derive(Clone, Debug, Deserialize)]
pub struct SearchUser {
    #[serde(rename = "userId")]
    pub user_id: i64,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default, rename = "emailAddress")]
    pub email: Option<String>,
    #[serde(default, rename = "firstName")]
    pub first_name: Option<String>,
    #[serde(default, rename = "lastName")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default, rename = "groupsAndRoles")]
    pub groups_and_roles: Option<GroupsAndRoles>,
}

/// Memberships and roles, present on filtered searches only.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct GroupsAndRoles {
    #[serde(default, rename = "coachGroups")]
    pub coach_groups: Option<Vec<Named>>,
    #[serde(default, rename = "athleteGroups")]
    pub athlete_groups: Option<Vec<Named>>,
    #[serde(default)]
    pub role: Option<Vec<Named>>,
}

/// `{"id": 3000, "name": "Demo Group"}`; only the name is used.
#[derive(Clone, Debug, Deserialize)]
pub struct Named {
    pub name: String,
}

/// person/get body (spec §2.5): ids, `op`, `comp`, `limit` and `offset` as strings.
#[derive(Serialize)]
pub struct PersonGetBody {
    pub filter: PersonFilter,
}

#[derive(Serialize)]
pub struct PersonFilter {
    pub comparisons: Comparisons,
    pub limit: &'static str,
    pub offset: &'static str,
}

#[derive(Serialize)]
pub struct Comparisons {
    pub op: &'static str,
    pub branches: [Branch; 1],
}

#[derive(Serialize)]
pub struct Branch {
    pub leaf: Leaf,
}

#[derive(Serialize)]
pub struct Leaf {
    pub negated: bool,
    pub comp: &'static str,
    #[serde(rename = "fieldName")]
    pub field_name: &'static str,
    #[serde(rename = "valueInteger")]
    pub value_integer: Vec<String>,
}

impl PersonGetBody {
    /// The recorded filter for these ids.
    pub fn for_ids(ids: &[i64]) -> Self {
        Self {
            filter: PersonFilter {
                comparisons: Comparisons {
                    op: "0",
                    branches: [Branch {
                        leaf: Leaf {
                            negated: false,
                            comp: "1",
                            field_name: "id",
                            value_integer: ids.iter().map(i64::to_string).collect(),
                        },
                    }],
                },
                limit: "-1",
                offset: "-1",
            },
        }
    }
}

/// person/get reply.
#[derive(Deserialize)]
pub struct PersonGetReply {
    pub objects: Vec<PersonRecord>,
}

/// person/save body: `{"person": {...}}`.
#[derive(Serialize)]
pub struct SaveBody<P: Serialize> {
    pub person: P,
}

/// A new person in the recorded key order (spec §5.3). Not `Debug`: it holds the password.
#[derive(Serialize)]
pub struct NewPerson<'a> {
    pub id: &'static str,
    #[serde(rename = "firstName")]
    pub first_name: String,
    #[serde(rename = "lastName")]
    pub last_name: String,
    pub username: String,
    #[serde(rename = "emailAddress")]
    pub email: String,
    #[serde(rename = "dateOfBirth")]
    pub date_of_birth: String,
    pub password: &'a str,
    pub active: bool,
    #[serde(rename = "knownAs")]
    pub known_as: String,
    #[serde(rename = "middleNames")]
    pub middle_names: String,
    pub language: String,
    #[serde(rename = "sidebarWidth")]
    pub sidebar_width: String,
    pub uuid: String,
    /// Left out when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

/// getUploadStatus reply (INFERRED, spec §2.7).
#[derive(Deserialize)]
pub struct UploadStatusReply {
    #[serde(default, rename = "uploadStatus")]
    pub upload_status: Option<UploadStatus>,
    #[serde(default)]
    pub data: Option<Vec<UploadData>>,
}

#[derive(Deserialize)]
pub struct UploadStatus {
    #[serde(default)]
    pub error: Option<bool>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Deserialize)]
pub struct UploadData {
    pub value: Option<UploadedFile>,
}

#[derive(Deserialize)]
pub struct UploadedFile {
    pub id: Option<serde_json::Value>,
    pub name: Option<String>,
}

/// The GWT-RPC style error some replies carry, even with a 200 (spec §1.5).
#[derive(Deserialize)]
pub struct RpcProbe {
    #[serde(default, rename = "__is_rpc_exception__")]
    pub is_rpc_exception: Option<bool>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub value: Option<RpcValue>,
}

#[derive(Deserialize)]
pub struct RpcValue {
    #[serde(default, rename = "detailMessage")]
    pub detail_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_get_body_is_the_recorded_filter() {
        let body = serde_json::to_string(&PersonGetBody::for_ids(&[31152, 72788])).unwrap();
        assert_eq!(
            body,
            r#"{"filter":{"comparisons":{"op":"0","branches":[{"leaf":{"negated":false,"comp":"1","fieldName":"id","valueInteger":["31152","72788"]}}]},"limit":"-1","offset":"-1"}}"#
        );
    }

    #[test]
    fn identification_entries_use_the_official_keys() {
        let entries = [
            Identification::Username("a".into()),
            Identification::Email("x@y".into()),
        ];
        let body = serde_json::to_string(&SearchBody {
            identification: &entries,
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"identification":[{"username":"a"},{"emailAddress":"x@y"}]}"#
        );
    }
}
