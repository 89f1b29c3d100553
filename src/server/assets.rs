//! The browser bundle under a versioned address, cached for a year.
//!
//! The built files keep plain names (`pacesetter.js`, `pacesetter.wasm`, the route chunks):
//! the lazily loaded chunks find each other and the main module by relative name, so
//! renaming files would break them. Instead pages load the bundle from
//! `/v/<version>/pkg/…`, where the version is a fingerprint of every file of the bundle,
//! and those answers say `immutable`: a phone that has the bundle never asks for it again,
//! and a new release has a new address. `/pkg/…` still serves the same files, revalidated
//! each time (older pages, `cargo leptos watch`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// `Cache-Control` of a versioned file.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The bundle's folder on disk.
pub fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// The address prefix of this server's bundle, `/v/<version>` (computed once).
pub fn root(options: &LeptosOptions) -> &'static str {
    static ROOT: OnceLock<String> = OnceLock::new();
    ROOT.get_or_init(|| format!("/v/{}", version(&pkg_dir(options))))
}

/// A fingerprint of every file under `dir` (names and contents; the `.br` and `.gz` copies
/// follow their originals). The same files give the same version on every instance; a
/// missing folder gives a version too, so the server starts without a built bundle.
pub fn version(dir: &Path) -> String {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (name, path) in files {
        name.hash(&mut h);
        std::fs::read(&path).unwrap_or_default().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
            continue;
        }
        let name = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".br") && !name.ends_with(".gz") {
            out.push((name, path));
        }
    }
}

/// The service worker (`public/sw.js`) with the versioned address of the bundle in place of
/// `/pkg`, so it keeps the files pages actually load. A new release changes the script,
/// which is what makes browsers install the new worker.
pub fn service_worker(options: &LeptosOptions) -> Option<&'static str> {
    static SCRIPT: OnceLock<Option<String>> = OnceLock::new();
    SCRIPT
        .get_or_init(|| {
            let path = Path::new(options.site_root.as_ref()).join("sw.js");
            let script = std::fs::read_to_string(path).ok()?;
            Some(script.replace(
                "const ASSETS = '/pkg';",
                &format!("const ASSETS = '{}/pkg';", root(options)),
            ))
        })
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_every_file_and_only_the_originals() {
        let dir = tempfile::tempdir().unwrap();
        let empty = version(dir.path());
        std::fs::write(dir.path().join("app.js"), "one").unwrap();
        let one = version(dir.path());
        assert_ne!(one, empty);
        // A compressed copy changes nothing; a chunk in a sub-folder does.
        std::fs::write(dir.path().join("app.js.br"), "xx").unwrap();
        assert_eq!(version(dir.path()), one);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/chunk.wasm"), "c").unwrap();
        let two = version(dir.path());
        assert_ne!(two, one);
        // Same files, same version (another instance); other contents, another one.
        assert_eq!(version(dir.path()), two);
        std::fs::write(dir.path().join("app.js"), "two").unwrap();
        assert_ne!(version(dir.path()), two);
        assert_eq!(version(&dir.path().join("missing")).len(), 16);
    }
}
