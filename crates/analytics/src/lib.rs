//! probity-analytics: historic-data import and an in-memory columnar query engine for
//! licensing statistics. Pure library: no database, no web.
//!
//! - [`caat`]: import Campaign Against Arms Trade's UK licence data, with an [`ImportReport`]
//!   of every oddity met.
//! - [`countries`]: destination names → ISO 3166-1 alpha-2 codes and regions.
//! - [`ratings`]: control-list rating kinds and matching.
//! - [`table`]: the columnar table ([`Table`], [`TableBuilder`]).
//! - [`query`]: filters, group-by and measures ([`Query`] → [`QueryResult`]).
//! - [`export`]: CSV and JSON open-data writers; [`export_parquet`]: Parquet.
//!
//! ```text
//! import_dir(caat-uk/) ─► CaatDataset + ImportReport ─► Table::from_caat ─► Table::query(&Query)
//!                                                     TableBuilder (Probity rows) ─┘
//! ```
//!
//! Rows are one per (licence group, rating), as CAAT publishes them; a licence group bundles
//! licences and is the finest grain the data has, so `licences` counts groups. Rows of a group
//! are adjacent in the table, which makes distinct counts a comparison with the previous row.

pub mod caat;
pub mod countries;
pub mod export;
pub mod export_dataset;
pub mod export_parquet;
pub mod query;
pub mod ratings;
pub mod report;
pub mod snapshot;
pub mod table;

pub use caat::{
    import_dir, import_files, import_files_with_progress, CaatDataset, CaatFiles, ImportError,
    ImportOptions, ImportProgress,
};
pub use countries::Region;
pub use query::{
    Destination, Dim, Key, LicenceOrder, LicenceSummary, Measures, OrderBy, Query, QueryError,
    QueryResult, QueryRow, RatingFilter,
};
pub use ratings::RatingKind;
pub use report::{Anomaly, AnomalyKind, ImportReport, Severity};
pub use table::{Decision, LicenceType, RowInput, Source, Table, TableBuilder, TableError};
