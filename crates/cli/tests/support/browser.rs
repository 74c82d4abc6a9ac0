//! The browser half of the support: one headless Chromium session driven through
//! fantoccini, finding things by link text, button text and field labels, and waiting for
//! pages instead of sleeping.
use super::*;

/// A string as an XPath 1.0 literal, whatever quotes it holds.
fn lit(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// One headless Chromium session.
pub struct Browser {
    client: Client,
    base: String,
    audit: super::audit::Audit,
}

impl Browser {
    pub async fn connect(driver: &Driver, tools: &Tools, dir: &Path, base: &str) -> Browser {
        let profile = dir.join("chromium-profile");
        std::fs::create_dir_all(&profile).expect("chromium profile folder");
        let caps = serde_json::json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    "--window-size=1280,1024",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        let client = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "could not start headless Chromium ({}) through ChromeDriver ({}): {e}",
                    tools.chromium.display(),
                    tools.chromedriver.display()
                )
            });
        Browser {
            client,
            base: base.to_string(),
            audit: super::audit::load_axe(),
        }
    }

    /// End the WebDriver session, which closes Chromium.
    pub async fn close(&self) {
        let _ = self.client.clone().close().await;
    }

    /// Where the browser is and what it shows, for a failure message; also saves a screenshot.
    pub async fn describe(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(unknown: {e})"));
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no page: {e})"),
        };
        let text: String = text.chars().take(4000).collect();
        let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-failure.png");
        let saved = match self.client.screenshot().await {
            Ok(png) if std::fs::write(&shot, &png).is_ok() => {
                format!("screenshot: {}", shot.display())
            }
            _ => "no screenshot".to_string(),
        };
        format!("--- browser at {url} ({saved}) ---\n{text}")
    }

    /// Retry `f` until it yields a value or the wait runs out; errors count as "not yet" (a
    /// page still loading, an element gone stale) and the last is reported on timeout.
    async fn until<T>(
        &self,
        what: impl FnOnce() -> String,
        mut f: impl AsyncFnMut() -> Result<Option<T>>,
    ) -> Result<T> {
        let deadline = Instant::now() + WAIT;
        loop {
            let last = match f().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => None,
                Err(e) => Some(e),
            };
            if Instant::now() >= deadline {
                let why = last
                    .map(|e| format!(" (last error: {e:#})"))
                    .unwrap_or_default();
                bail!("timed out after {WAIT:?} waiting for {}{why}", what());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn goto(&self, path: &str) -> Result<()> {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .with_context(|| format!("opening {path}"))?;
        self.audit.check(&self.client).await;
        Ok(())
    }

    /// Every page problem the walk met (accessibility, 375 px overflow), or the number of
    /// pages checked.
    pub fn audit_verdict(&self) -> Result<usize> {
        self.audit.verdict()
    }

    async fn click_xpath(&self, xpath: &str, what: &str) -> Result<()> {
        self.until(
            || what.to_string(),
            async || {
                for el in self.client.find_all(Locator::XPath(xpath)).await? {
                    if el.is_displayed().await? {
                        el.click().await?;
                        return Ok(Some(()));
                    }
                }
                Ok(None)
            },
        )
        .await
    }

    /// Follow the first visible link whose text is exactly `text`.
    pub async fn click_link(&self, text: &str) -> Result<()> {
        let xpath = format!("//a[normalize-space(.)={}]", lit(text));
        self.click_xpath(&xpath, &format!("a link {text:?}")).await
    }

    /// Follow the first visible link whose text contains `text`.
    pub async fn click_link_containing(&self, text: &str) -> Result<()> {
        let xpath = format!("//a[contains(normalize-space(.), {})]", lit(text));
        self.click_xpath(&xpath, &format!("a link containing {text:?}"))
            .await
    }

    /// Press the first visible button in the page's main content labelled `text`.
    pub async fn click_button(&self, text: &str) -> Result<()> {
        let xpath = format!("//main//button[normalize-space(.)={}]", lit(text));
        self.click_xpath(&xpath, &format!("a button {text:?}"))
            .await
    }

    /// The one `<label>` under `scope` whose own text (before any hint) is `text`.
    async fn label(&self, scope: &str, text: &str) -> Result<Element> {
        let xpath = format!("{scope}//label[normalize-space(text()[1])={}]", lit(text));
        self.until(
            || format!("a label {text:?}"),
            async || {
                let found = self.client.find_all(Locator::XPath(&xpath)).await?;
                match found.len() {
                    0 => Ok(None),
                    1 => Ok(found.into_iter().next()),
                    n => bail!("{n} labels read {text:?}; a person could not tell them apart"),
                }
            },
        )
        .await
    }

    /// The form control a label names: through `for=` (which must name exactly one element),
    /// or the control inside the label.
    async fn control(&self, scope: &str, text: &str) -> Result<Element> {
        let label = self.label(scope, text).await?;
        let control = match label.attr("for").await? {
            Some(id) => {
                let same = self
                    .client
                    .find_all(Locator::XPath(&format!("//*[@id={}]", lit(&id))))
                    .await?;
                ensure!(
                    same.len() == 1,
                    "label {text:?} is for id {id:?}, which {} elements have",
                    same.len()
                );
                same.into_iter().next().expect("one element")
            }
            None => label
                .find(Locator::Css("input, select, textarea"))
                .await
                .with_context(|| format!("label {text:?} has no for= and holds no control"))?,
        };
        let tag = control.tag_name().await?.to_lowercase();
        ensure!(
            matches!(tag.as_str(), "input" | "select" | "textarea"),
            "label {text:?} names a <{tag}>, not a form field"
        );
        Ok(control)
    }

    fn fieldset(legend: &str) -> String {
        format!("//fieldset[legend[normalize-space(.)={}]]", lit(legend))
    }

    /// The field labelled `label` anywhere in the main content.
    pub async fn field(&self, label: &str) -> Result<Element> {
        self.control("//main", label).await
    }

    /// The field labelled `label` in the fieldset whose legend is `legend`.
    pub async fn field_in(&self, legend: &str, label: &str) -> Result<Element> {
        self.control(&Self::fieldset(legend), label).await
    }

    async fn type_into(el: Element, value: &str) -> Result<()> {
        el.clear().await?;
        el.send_keys(value).await?;
        let got = el.prop("value").await?.unwrap_or_default();
        ensure!(got == value, "typed {value:?} but the field holds {got:?}");
        Ok(())
    }

    pub async fn fill(&self, label: &str, value: &str) -> Result<()> {
        Self::type_into(self.field(label).await?, value)
            .await
            .with_context(|| format!("filling in {label:?}"))
    }

    pub async fn fill_in(&self, legend: &str, label: &str, value: &str) -> Result<()> {
        Self::type_into(self.field_in(legend, label).await?, value)
            .await
            .with_context(|| format!("filling in {legend} / {label:?}"))
    }

    /// Pick the option shown as `option` in the drop-down labelled `label` inside `legend`.
    pub async fn select_in(&self, legend: &str, label: &str, option: &str) -> Result<()> {
        let select = self.field_in(legend, label).await?;
        select
            .find(Locator::XPath(&format!(
                ".//option[normalize-space(.)={}]",
                lit(option)
            )))
            .await
            .with_context(|| format!("{legend} / {label:?} has no option {option:?}"))?
            .click()
            .await?;
        Ok(())
    }

    /// Pick the option shown as `option` in the drop-down labelled `label`.
    pub async fn select(&self, label: &str, option: &str) -> Result<()> {
        self.field(label)
            .await?
            .find(Locator::XPath(&format!(
                ".//option[normalize-space(.)={}]",
                lit(option)
            )))
            .await
            .with_context(|| format!("{label:?} has no option {option:?}"))?
            .click()
            .await?;
        Ok(())
    }

    /// Choose the radio button labelled `label` inside the fieldset whose legend is `legend`.
    pub async fn choose_in(&self, legend: &str, label: &str) -> Result<()> {
        let scope = Self::fieldset(legend);
        let control = self.control(&scope, label).await?;
        self.label(&scope, label).await?.click().await?;
        ensure!(
            control.is_selected().await?,
            "clicking {legend} / {label:?} did not select its control"
        );
        Ok(())
    }

    /// Give the file input labelled `label` a file, as choosing it in the file dialog does.
    pub async fn attach(&self, label: &str, file: &Path) -> Result<()> {
        let path = file.to_str().context("a UTF-8 file path")?;
        self.field(label)
            .await?
            .send_keys(path)
            .await
            .with_context(|| format!("attaching {} to {label:?}", file.display()))
    }

    /// The path of the page open now (without its query).
    pub async fn path(&self) -> Result<String> {
        Ok(self.client.current_url().await?.path().to_string())
    }

    /// The value of the drop-down labelled `label` inside `legend`.
    pub async fn select_value_in(&self, legend: &str, label: &str) -> Result<String> {
        Ok(self
            .field_in(legend, label)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Click the label of a radio button or checkbox, and check that it took.
    async fn tick(&self, label: &str) -> Result<()> {
        let control = self.field(label).await?;
        self.label("//main", label).await?.click().await?;
        ensure!(
            control.is_selected().await?,
            "clicking the label {label:?} did not select its control"
        );
        Ok(())
    }

    /// Choose the radio button labelled `label`.
    pub async fn choose(&self, label: &str) -> Result<()> {
        self.tick(label).await
    }

    /// Tick the checkbox labelled `label`.
    pub async fn check(&self, label: &str) -> Result<()> {
        self.tick(label).await
    }

    /// Save the page as `{name}-desktop.png` (1280 px) and `{name}-phone.png` (375 px) in
    /// `dir`; the window is left at the desktop size.
    pub async fn screenshots(&self, dir: &Path, name: &str) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        for (suffix, width, height) in [("desktop", 1280, 1024), ("phone", 375, 812)] {
            self.client.set_window_size(width, height).await?;
            let png = self.client.screenshot().await?;
            std::fs::write(dir.join(format!("{name}-{suffix}.png")), png)?;
        }
        self.client.set_window_size(1280, 1024).await?;
        Ok(())
    }

    /// The `href` of every element matching `css`, as written (paths stay relative).
    pub async fn hrefs(&self, css: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await? {
            if let Some(h) = el.attr("href").await? {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String> {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css} on the page"))?;
        Ok(el.text().await?)
    }

    /// Wait until an element matching `css` shows `needle` (any element, if `needle` is empty);
    /// return its text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let text = self
            .until(
                || format!("{css} to show {needle:?}"),
                async || {
                    for el in self.client.find_all(Locator::Css(css)).await? {
                        let t = el.text().await?;
                        if t.contains(needle) {
                            return Ok(Some(t));
                        }
                    }
                    Ok(None)
                },
            )
            .await?;
        // The page has arrived: check it (once per address).
        self.audit.check(&self.client).await;
        Ok(text)
    }

    pub async fn wait_heading(&self, text: &str) -> Result<String> {
        self.wait_text("main h1", text).await
    }

    pub async fn wait_url_contains(&self, part: &str) -> Result<()> {
        self.until(
            || format!("the address to contain {part:?}"),
            async || {
                Ok(self
                    .client
                    .current_url()
                    .await?
                    .as_str()
                    .contains(part)
                    .then_some(()))
            },
        )
        .await
    }

    /// Wait until the queue tab labelled `label` is marked as the current page.
    pub async fn wait_current_tab(&self, label: &str) -> Result<()> {
        let xpath = format!(
            "//main//ul[contains(@class,'tabs')]//a[@aria-current='page' and normalize-space(.)={}]",
            lit(label)
        );
        self.until(
            || format!("the {label:?} tab to be current"),
            async || {
                Ok(self
                    .client
                    .find_all(Locator::XPath(&xpath))
                    .await?
                    .into_iter()
                    .next()
                    .map(|_| ()))
            },
        )
        .await
    }

    /// The value beside `term` in the page's summary list (`<dl class="summary">`).
    pub async fn summary_value(&self, term: &str) -> Result<String> {
        let xpath = format!(
            "//main//dl[contains(@class,'summary')]/dt[normalize-space(.)={}]/following-sibling::dd[1]",
            lit(term)
        );
        let dd = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .map_err(|e| anyhow!("no {term:?} in the summary: {e}"))?;
        Ok(dd.text().await?)
    }

    /// The text of each table row in the main content that mentions `needle`.
    pub async fn rows_containing(&self, needle: &str) -> Result<Vec<String>> {
        let mut rows = Vec::new();
        for tr in self
            .client
            .find_all(Locator::Css("main table tbody tr"))
            .await?
        {
            let t = tr.text().await?;
            if t.contains(needle) {
                rows.push(t);
            }
        }
        Ok(rows)
    }

    /// Sign in from whatever page is open, through the header's "Sign in" link.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        let xpath = "//header//a[normalize-space(.)='Sign in']";
        self.click_xpath(xpath, "the header's Sign in link").await?;
        self.wait_heading("Sign in").await?;
        self.fill("Email address", email).await?;
        self.fill("Password", password).await?;
        self.click_button("Sign in").await?;
        self.wait_text("header .who", "Sign out")
            .await
            .with_context(|| format!("signing in as {email}"))?;
        Ok(())
    }

    /// Sign out with the header's button, and check the session is gone.
    pub async fn sign_out(&self) -> Result<()> {
        let xpath = "//header//button[normalize-space(.)='Sign out']";
        self.click_xpath(xpath, "the header's Sign out button")
            .await?;
        self.wait_text("header .who", "Sign in").await?;
        let cookies = self.client.get_all_cookies().await?;
        ensure!(
            cookies.iter().all(|c| c.value().is_empty()),
            "cookies left after signing out: {:?}",
            cookies
                .iter()
                .map(|c| c.name().to_string())
                .collect::<Vec<_>>()
        );
        Ok(())
    }
}
