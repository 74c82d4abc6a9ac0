//! The register's signing key: a C2SP signed-note private key file
//! (`PRIVATE+KEY+<name>+<key id>+<base64>`), created by `probity register keygen` and read by
//! the sequencer. The key name is the log's origin. Key material never appears in errors or
//! logs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use probity_register::note::{Ed25519Signer, KeyError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum KeyFileError {
    #[error("invalid log origin {0:?}: it must be non-empty, without spaces or '+'")]
    BadOrigin(String),
    #[error("{path} already exists; refusing to overwrite a signing key")]
    Exists { path: PathBuf },
    #[error("could not write the key file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not read the key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid register private key: {reason}")]
    Invalid { path: PathBuf, reason: KeyError },
    #[error("the key in {path} is named {name:?}, but the register origin is {origin:?}")]
    OriginMismatch {
        path: PathBuf,
        name: String,
        origin: String,
    },
}

/// Generates a new key named `origin`, writes it to `path` (mode 0600, never overwriting)
/// and returns the signer.
pub fn generate_key_file(origin: &str, path: &Path) -> Result<Ed25519Signer, KeyFileError> {
    let signer = Ed25519Signer::generate(origin, &mut rand::rngs::OsRng)
        .map_err(|_| KeyFileError::BadOrigin(origin.chars().take(100).collect()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            KeyFileError::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    let write = |file: &mut std::fs::File| {
        file.write_all(signer.skey().as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()
    };
    write(&mut file).map_err(|source| KeyFileError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(signer)
}

/// Reads the private key at `path`. With `origin`, the key's name must equal it.
pub fn load_key_file(path: &Path, origin: Option<&str>) -> Result<Ed25519Signer, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let signer = Ed25519Signer::from_skey(text.trim()).map_err(|reason| KeyFileError::Invalid {
        path: path.to_path_buf(),
        reason,
    })?;
    if let Some(origin) = origin {
        use probity_register::note::NoteSigner as _;
        if signer.name() != origin {
            return Err(KeyFileError::OriginMismatch {
                path: path.to_path_buf(),
                name: signer.name().to_string(),
                origin: origin.to_string(),
            });
        }
    }
    Ok(signer)
}

/// Loads the key at `path`, generating one named `origin` first if the file does not exist
/// (the demo's convenience).
pub fn load_or_generate(path: &Path, origin: &str) -> Result<Ed25519Signer, KeyFileError> {
    if path.exists() {
        load_key_file(path, Some(origin))
    } else {
        generate_key_file(origin, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use probity_register::note::NoteSigner as _;

    #[test]
    fn generated_keys_load_back_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.key");
        let s = generate_key_file("probity.example/register", &path).unwrap();
        let back = load_key_file(&path, Some("probity.example/register")).unwrap();
        assert_eq!(back.verifier(), s.verifier());
        assert!(matches!(
            generate_key_file("probity.example/register", &path),
            Err(KeyFileError::Exists { .. })
        ));
        assert!(matches!(
            load_key_file(&path, Some("other")),
            Err(KeyFileError::OriginMismatch { .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "PRIVATE+KEY+x+00000000+AAAA\n").unwrap();
        let err = load_key_file(&path, None).unwrap_err().to_string();
        assert!(err.contains("not a valid"), "{err}");
        assert!(generate_key_file("bad name", &dir.path().join("b")).is_err());
        assert_eq!(
            load_or_generate(&dir.path().join("new.key"), "o")
                .unwrap()
                .name(),
            "o"
        );
    }
}
