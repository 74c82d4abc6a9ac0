//! The demo's sanctions lists: the three real lists loaded as the operator would, and one
//! application whose end user is a variant spelling of a listed entity, so a newcomer sees a
//! match, its explanation, and the decision held up until a caseworker resolves it.
use std::path::Path;

use probity_domain::PartyRole;
use probity_screening::{BadLines, ListKind};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::screening::{load_list, rescreen_all, LoadReport};
use crate::{applications, auth, Ctx, ServiceError, ServiceResult};

/// The real list files expected in the shared data folder, by kind.
pub const LIST_FILES: [(ListKind, &str); 3] = [
    (ListKind::UkHmt, "uk-hmt-conlist-2018-04-13.csv"),
    (ListKind::Un, "un-consolidated-2018-10-29.xml"),
    (ListKind::OfacSdn, "ofac-sdn-2024-05-03.csv"),
];

/// Load the three lists from `dir`, submit the variant application, and re-screen.
pub async fn seed_screening(ctx: &Ctx, dir: &Path) -> ServiceResult<Vec<LoadReport>> {
    let mut reports = Vec::new();
    for (kind, file) in LIST_FILES {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).map_err(|e| {
            ServiceError::Internal(format!("could not read {}: {e}", path.display()))
        })?;
        reports.push(load_list(ctx, None, kind, file, bytes, BadLines::Refuse).await?);
    }
    let exporter = auth::active_user_by_email(ctx, "exporter@northbridge.example").await?;
    let mut input = super::content::application(&mut StdRng::seed_from_u64(12), "");
    // Korea Mining Development Trading Corporation (UN KPe.001, OFAC), misspelt and with
    // its legal form abbreviated, as a front in a transshipment hub.
    for p in &mut input.parties {
        p.country = "AE".into();
        match p.role {
            PartyRole::EndUser => {
                p.name = "Korea Mining Developement Trading Corp.".into();
                p.address = "Office 1204, Al Maktoum Road, Deira, Dubai".into();
                p.end_user_type = Some("commercial".into());
            }
            _ => {
                p.name = "Gulf Horizon Logistics FZE".into();
                p.address = "Jebel Ali Free Zone, Dubai".into();
            }
        }
    }
    applications::submit_new(ctx, &exporter, &input).await?;
    rescreen_all(
        ctx,
        probity_domain::screening::RescreenReason::ListUpdate,
        None,
        &mut |_, _| {},
    )
    .await?;
    Ok(reports)
}
