//! After the walk: every role follows each link of its header navigation, and staff open the
//! case and its history, so that every page a user reaches from the menu is checked (axe-core
//! and 375 px, by the browser's page audit) with real content in it.
use anyhow::{Context, Result};

use crate::support::Browser;

/// Where the screenshots go: `target/screenshots` of the workspace.
fn screenshots_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// (who, password) for each role that signs in; `None` is the public.
pub async fn every_menu_page(
    b: &Browser,
    people: &[Option<(&str, &str)>],
    case_path: &str,
) -> Result<()> {
    for who in people {
        b.goto("/").await?;
        if let Some((email, password)) = who {
            b.sign_in(email, password).await?;
        }
        let links = b.hrefs("header nav a").await?;
        // Each role's main page (its first menu link), at desktop and phone widths, for the
        // README's gallery (target/screenshots, generated, not committed).
        if let Some(first) = links.first() {
            b.goto(first).await?;
            let role = who.map_or("public".to_string(), |(email, _)| {
                email.split('@').next().unwrap_or("user").to_string()
            });
            b.screenshots(&screenshots_dir(), &role).await?;
        }
        for href in &links {
            b.goto(href)
                .await
                .with_context(|| format!("{who:?} opening {href} from the menu"))?;
        }
        if who.is_some() && !case_path.is_empty() {
            // The case and its history, where this role may see them (a 404 page is checked too).
            b.goto(case_path).await?;
            b.goto(&format!("{case_path}/history")).await?;
        }
        if who.is_some() {
            // From the home page: an error page (a case this role may not see) has no
            // signed-in header to sign out from.
            b.goto("/").await?;
            b.sign_out().await?;
        }
    }
    Ok(())
}
