//! The CRM's shared folder: sales files out, customers files in.
//!
//! A sales file is written under a temporary name, synced to disk and renamed,
//! so the CRM never sees half a file; the folder is locked while writing, so
//! two tills sharing it do not collide. File names carry the store, the till
//! and the batch's outbox range: unique per till and sortable. The same batch
//! always gets the same name and content, so a resend after a crash replaces
//! the file with an identical one.

use std::fs::{self, File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use naparnik_crm_xml::sales::write_sales;

use crate::sales::sales_file;
use crate::{BatchEvent, DeliveryError, Refused};

/// Where the CRM folder is and who this till is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmDirectory {
    /// Where sales files go.
    pub sales_dir: PathBuf,
    /// Where the CRM drops customers files; imported ones move to `processed/`, refused ones to `rejected/`.
    pub customers_dir: Option<PathBuf>,
    /// Store code.
    pub store: String,
    /// Till code.
    pub till: String,
}

/// The lock file inside a shared folder.
const LOCK_FILE: &str = ".naparnik.lock";

fn io_error(what: &str, path: &Path, error: std::io::Error) -> DeliveryError {
    DeliveryError::Retryable(format!("{what} {}: {error}", path.display()))
}

impl CrmDirectory {
    /// The file name of a batch: `sales-STORE-TILL-BATCH.xml`.
    pub fn file_name(&self, batch_id: &str) -> String {
        let clean = |text: &str| {
            text.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        };
        format!(
            "sales-{}-{}-{}.xml",
            clean(&self.store),
            clean(&self.till),
            clean(batch_id)
        )
    }

    /// Writes the batch's sales file. Events that cannot be sales are refused; the rest are written.
    pub fn deliver(
        &self,
        batch_id: &str,
        events: &[BatchEvent<'_>],
        generated: DateTime<FixedOffset>,
    ) -> Result<Refused, DeliveryError> {
        let (file, refused) = sales_file(events, batch_id, &self.store, &self.till, generated);
        let Some((header, sales)) = file else {
            return Ok(refused);
        };
        fs::create_dir_all(&self.sales_dir)
            .map_err(|e| io_error("cannot create", &self.sales_dir, e))?;
        let _lock = FolderLock::acquire(&self.sales_dir)?;
        let name = self.file_name(batch_id);
        let final_path = self.sales_dir.join(&name);
        let temporary = self.sales_dir.join(format!(".{name}.tmp"));
        let file =
            File::create(&temporary).map_err(|e| io_error("cannot create", &temporary, e))?;
        let mut writer = BufWriter::new(file);
        write_sales(&mut writer, &header, &sales)
            .map_err(|e| io_error("cannot write", &temporary, e))?;
        let file = writer
            .into_inner()
            .map_err(|e| io_error("cannot write", &temporary, e.into_error()))?;
        file.sync_all()
            .map_err(|e| io_error("cannot sync", &temporary, e))?;
        drop(file);
        fs::rename(&temporary, &final_path)
            .map_err(|e| io_error("cannot rename to", &final_path, e))?;
        // The rename reaches the disk with the directory (Unix). Windows cannot flush a directory
        // (FlushFileBuffers on it is refused); NTFS journals the rename itself.
        #[cfg(unix)]
        File::open(&self.sales_dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| io_error("cannot sync", &self.sales_dir, e))?;
        tracing::info!(file = %final_path.display(), sales = sales.len(), "CRM sales file written");
        Ok(refused)
    }

    /// Customers files waiting in the inbox, oldest name first.
    pub fn pending_customer_files(&self) -> Result<Vec<PathBuf>, DeliveryError> {
        let Some(dir) = &self.customers_dir else {
            return Ok(Vec::new());
        };
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(io_error("cannot read", dir, error)),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
            })
            .collect();
        files.sort();
        Ok(files)
    }

    /// Moves an imported file to `processed/`, or a refused one to `rejected/` with the reason beside it.
    pub fn settle_customer_file(
        &self,
        file: &Path,
        problem: Option<&str>,
    ) -> Result<PathBuf, DeliveryError> {
        let dir = file.parent().unwrap_or(Path::new("."));
        let target_dir = dir.join(if problem.is_some() {
            "rejected"
        } else {
            "processed"
        });
        fs::create_dir_all(&target_dir).map_err(|e| io_error("cannot create", &target_dir, e))?;
        let name = file.file_name().unwrap_or_default();
        let target = target_dir.join(name);
        fs::rename(file, &target).map_err(|e| io_error("cannot move", file, e))?;
        if let Some(problem) = problem {
            let report = target_dir.join(format!("{}.error.txt", name.to_string_lossy()));
            fs::write(&report, problem).map_err(|e| io_error("cannot write", &report, e))?;
        }
        Ok(target)
    }
}

/// An exclusive lock on a shared folder, released on drop.
struct FolderLock {
    file: File,
}

impl FolderLock {
    fn acquire(dir: &Path) -> Result<FolderLock, DeliveryError> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_error("cannot open", &path, e))?;
        // flock on Linux, LockFileEx on Windows: held by the open file, gone if the process dies.
        file.lock().map_err(|e| io_error("cannot lock", &path, e))?;
        Ok(FolderLock { file })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}
