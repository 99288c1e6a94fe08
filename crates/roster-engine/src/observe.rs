//! Reading what a site reports.

use roster_core::{DirectoryError, Group, User, UserQuery};

use crate::site::Site;

/// The users and groups a site reported.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Every user the site listed.
    pub users: Vec<User>,
    /// Every group (empty when the site cannot list groups).
    pub groups: Vec<Group>,
    /// False when the listing is known to be incomplete (a page failed); orphan actions are
    /// then disabled, since a user missing from the listing is not an orphan.
    pub complete: bool,
}

impl Observed {
    /// A complete listing.
    pub fn complete(users: Vec<User>, groups: Vec<Group>) -> Self {
        Self {
            users,
            groups,
            complete: true,
        }
    }
}

/// Lists every user and, where the site can, every group.
pub async fn observe(site: &Site) -> Result<Observed, DirectoryError> {
    let directory = &site.directory;
    let list_groups = site.capabilities().list_groups;
    let query = UserQuery::all();
    let (users, groups) = tokio::join!(directory.list_users(&query), async {
        if list_groups {
            directory.list_groups().await
        } else {
            Ok(Vec::new())
        }
    });
    Ok(Observed::complete(users?, groups?))
}
