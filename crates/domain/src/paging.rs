//! Paging through a list: page numbers and page sizes within sane bounds, so the offset
//! (`(page − 1) × per_page`) can never overflow, and a request far past any list is a plain
//! error rather than a database error.

/// The highest page number anyone may ask for.
pub const MAX_PAGE: i64 = 100_000;
/// The most results one page may hold.
pub const MAX_PER_PAGE: i64 = 500;

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    page: i64,
    per_page: i64,
}

/// Why a page request was refused; `field` names the query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("ask for a page between 1 and {MAX_PAGE}")]
    Page,
    #[error("ask for between 1 and {MAX_PER_PAGE} results per page")]
    PerPage,
}

impl PagingError {
    pub const fn field(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::PerPage => "per_page",
        }
    }
}

impl Paging {
    pub fn new(page: i64, per_page: i64) -> Result<Self, PagingError> {
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(PagingError::Page);
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(PagingError::PerPage);
        }
        Ok(Self { page, per_page })
    }

    pub const fn page(self) -> i64 {
        self.page
    }

    pub const fn per_page(self) -> i64 {
        self.per_page
    }

    /// A smaller page size for lists with a lower ceiling of their own.
    pub fn at_most(self, per_page: i64) -> Self {
        Self {
            per_page: self.per_page.min(per_page.max(1)),
            ..self
        }
    }

    /// Rows to skip. Bounded by `MAX_PAGE × MAX_PER_PAGE`, far inside `i64`.
    pub const fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// How many pages `total` rows fill (at least one, an empty list being one empty page).
    pub fn pages(self, total: i64) -> i64 {
        page_count(total, self.per_page)
    }

    /// The same request, moved back to the last page of `total` rows if it was past it.
    pub fn within(self, total: i64) -> Self {
        Self {
            page: self.page.min(self.pages(total)),
            ..self
        }
    }
}

/// How many pages of `per_page` rows `total` rows fill, at least one; never overflows.
pub fn page_count(total: i64, per_page: i64) -> i64 {
    let per_page = per_page.max(1);
    let total = total.max(0);
    (total / per_page + i64::from(total % per_page != 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let cases = [
            (1, 1, Ok(0)),
            (2, 50, Ok(50)),
            (MAX_PAGE, MAX_PER_PAGE, Ok((MAX_PAGE - 1) * MAX_PER_PAGE)),
            (0, 50, Err(PagingError::Page)),
            (-1, 50, Err(PagingError::Page)),
            (MAX_PAGE + 1, 50, Err(PagingError::Page)),
            (i64::MAX, i64::MAX, Err(PagingError::Page)),
            (1, 0, Err(PagingError::PerPage)),
            (1, MAX_PER_PAGE + 1, Err(PagingError::PerPage)),
            (1, i64::MAX, Err(PagingError::PerPage)),
        ];
        for (page, per_page, want) in cases {
            assert_eq!(
                Paging::new(page, per_page).map(Paging::offset),
                want,
                "{page} × {per_page}"
            );
        }
        assert_eq!(PagingError::PerPage.field(), "per_page");
    }

    #[test]
    fn page_counts_never_overflow() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(i64::MAX, 1), i64::MAX);
        assert_eq!(page_count(i64::MAX, 500), i64::MAX / 500 + 1);
        let p = Paging::new(7, 50).unwrap();
        assert_eq!(p.within(120).page(), 3);
        assert_eq!(p.within(1000).page(), 7);
        assert_eq!(p.at_most(20).per_page(), 20);
    }
}
