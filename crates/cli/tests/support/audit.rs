//! Every page the walk reaches is checked once, as it is: axe-core (from npm, installed by
//! scripts/test.sh into crates/cli/tests/a11y; PROBITY_AXE names the script) for WCAG 2.1 A
//! and AA violations, and a 375 px wide viewport for anything that makes the page scroll
//! sideways. Findings are collected, not thrown, so one run names every page's problems; the
//! walk fails at its end if there are any.
use std::collections::HashSet;
use std::sync::Mutex;

use super::*;

/// The page checks, and what they found.
pub struct Audit {
    axe: String,
    seen: Mutex<HashSet<String>>,
    findings: Mutex<Vec<String>>,
    /// Pages checked, in order (for the summary).
    pages: Mutex<Vec<String>>,
}

/// PROBITY_AXE, else the test folder's own install; missing is a failure with instructions.
pub fn load_axe() -> Audit {
    let path = std::env::var_os("PROBITY_AXE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/a11y/node_modules/axe-core/axe.min.js")
        });
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the browser test checks every page with axe-core, but {} cannot be read ({e}).\n\
             Run the tests through scripts/test.sh, which installs it with `npm ci` in \
             crates/cli/tests/a11y (or run that yourself).",
            path.display()
        )
    });
    Audit {
        axe,
        seen: Mutex::default(),
        findings: Mutex::default(),
        pages: Mutex::default(),
    }
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then(r => done(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))
  }))))
  .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
"#;

/// A planted image without a text alternative: axe must find it, or the check is blind.
const AXE_PROBE: &str = r#"
const done = arguments[arguments.length - 1];
const probe = document.createElement('div');
probe.id = 'axe-probe';
probe.innerHTML = '<img src="data:,">';
document.body.appendChild(probe);
axe.run('#axe-probe', { runOnly: { type: 'rule', values: ['image-alt'] } })
  .then(r => { probe.remove(); done(r.violations.length); })
  .catch(e => { probe.remove(); done(String(e)); });
"#;

/// What spills past a 375 px viewport: the widest offenders, named by tag, id and class.
const OVERFLOW: &str = r#"
const w = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth <= w) return [];
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.right > w + 0.5 && r.width > 0) {
    let inScroller = false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') { inScroller = true; break; }
    }
    if (!inScroller) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
      ' (right edge ' + Math.round(r.right) + ' px)');
  }
  if (out.length >= 5) break;
}
if (!out.length) {
  // Nothing sticks out by its box: name what overflows its own box instead.
  for (const el of document.querySelectorAll('body, body *')) {
    if (el.scrollWidth > el.clientWidth + 0.5 && el.clientWidth > 0 && getComputedStyle(el).overflowX === 'visible')
      out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
        ' (content ' + el.scrollWidth + ' px in ' + el.clientWidth + ' px)');
    if (out.length >= 5) break;
  }
}
return ['the page is ' + document.documentElement.scrollWidth + ' px wide'].concat(out);
"#;

impl Audit {
    /// Check the page `client` shows, once per address (path and query).
    pub async fn check(&self, client: &Client) {
        let Ok(url) = client.current_url().await else {
            return;
        };
        let page = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if !self.seen.lock().unwrap().insert(page.clone()) {
            return;
        }
        self.pages.lock().unwrap().push(page.clone());
        let mut found = Vec::new();
        let loaded = client
            .execute(
                "if (typeof axe === 'undefined') { eval(arguments[0]); } return typeof axe;",
                vec![serde_json::Value::String(self.axe.clone())],
            )
            .await;
        match loaded {
            Ok(_) if self.pages.lock().unwrap().len() == 1 => {
                // First page: prove axe sees a problem when there is one, then check the page.
                match client.execute_async(AXE_PROBE, Vec::new()).await {
                    Ok(serde_json::Value::Number(n)) if n.as_u64() == Some(1) => {}
                    other => found.push(format!(
                        "axe did not report a planted image without alt text ({other:?}): \
                         the accessibility check is not working"
                    )),
                }
                self.run_axe(client, &mut found).await;
            }
            Ok(_) => self.run_axe(client, &mut found).await,
            Err(e) => found.push(format!("axe could not be loaded: {e}")),
        }
        self.check_narrow(client, &mut found).await;
        let mut findings = self.findings.lock().unwrap();
        for f in found {
            findings.push(format!("{page}: {f}"));
        }
    }

    async fn run_axe(&self, client: &Client, found: &mut Vec<String>) {
        match client.execute_async(AXE_RUN, Vec::new()).await {
            Ok(serde_json::Value::Array(violations)) => {
                for v in violations {
                    found.push(format!(
                        "axe {} ({}): {} — {}",
                        v["id"].as_str().unwrap_or("?"),
                        v["impact"].as_str().unwrap_or("?"),
                        v["help"].as_str().unwrap_or("?"),
                        v["nodes"]
                            .as_array()
                            .map(|n| n
                                .iter()
                                .filter_map(|x| x.as_str())
                                .collect::<Vec<_>>()
                                .join("; "))
                            .unwrap_or_default()
                    ));
                }
            }
            Ok(other) => found.push(format!("axe answered {other}")),
            Err(e) => found.push(format!("axe could not run: {e}")),
        }
    }

    /// The phone check: the same page at 375 px, then back to the desktop size.
    async fn check_narrow(&self, client: &Client, found: &mut Vec<String>) {
        if client.set_window_size(375, 900).await.is_ok() {
            match client.execute(OVERFLOW, Vec::new()).await {
                Ok(serde_json::Value::Array(spills)) if !spills.is_empty() => found.push(format!(
                    "at 375 px the page scrolls sideways: {}",
                    spills
                        .iter()
                        .filter_map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                Ok(_) => {}
                Err(e) => found.push(format!("the 375 px check could not run: {e}")),
            }
            let _ = client.set_window_size(1280, 1024).await;
        } else {
            found.push("the window could not be narrowed to 375 px".into());
        }
    }

    /// Fails naming every finding on every page, or says how many pages passed.
    pub fn verdict(&self) -> Result<usize> {
        let findings = self.findings.lock().unwrap();
        let pages = self.pages.lock().unwrap();
        ensure!(
            findings.is_empty(),
            "{} problems on the {} pages checked:\n{}",
            findings.len(),
            pages.len(),
            findings.join("\n")
        );
        Ok(pages.len())
    }
}
