//! The two steps of Pacesetter's build that need a library rather than a command, so that
//! `scripts/build.sh` can build the site without installing cargo-leptos (which takes longer
//! to install than the app takes to build). They do what `cargo leptos build --split
//! --precompress` does, with the same libraries at the same versions:
//!
//! - `pacesetter-site front WASM PKG_DIR NAME`: splits the browser bundle into the main
//!   module and the lazily loaded route chunks (`wasm_split_cli_support`, with the prefetch
//!   manifest the server reads), then runs wasm-bindgen (`--target web`) into `PKG_DIR` and
//!   prints the path of every `.wasm` file written, for `wasm-opt`.
//! - `pacesetter-site compress DIR`: writes a brotli and a gzip copy beside every file under
//!   `DIR` (the server sends them to browsers that accept them).

use std::error::Error;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["front", wasm, pkg, name] => front(Path::new(wasm), Path::new(pkg), name),
        ["compress", dir] => compress_dir(Path::new(dir)).map(|n| {
            eprintln!("compressed {n} files under {dir} (brotli and gzip)");
        }),
        _ => Err("usage: pacesetter-site front WASM PKG_DIR NAME | compress DIR".into()),
    };
    if let Err(e) = outcome {
        eprintln!("pacesetter-site: {e}");
        std::process::exit(1);
    }
}

fn front(wasm: &Path, pkg: &Path, name: &str) -> Result<()> {
    fs::create_dir_all(pkg)?;
    let input = fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;

    // 1. Split: the main module goes beside the input, the chunks straight into the site.
    let stem = wasm
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("the bundle needs a file name")?;
    let main_out = wasm.with_file_name(format!("{stem}_split.wasm"));
    let main_module = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = pkg;
        opts.main_out_path = &main_out;
        opts.main_module = &main_module;
        // The name cargo-leptos gives the loader, so both builds produce the same site.
        opts.link_name = "./__wasm_split.______________________.js";
        opts
    })
    .map_err(|e| format!("splitting the bundle: {e}"))?;
    fs::write(
        pkg.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&split.prefetch_map)?,
    )?;
    drop(input);

    // 2. wasm-bindgen on the main module (as `wasm-bindgen --target web --keep-lld-exports
    //    --no-demangle`); the leptos loader expects `NAME.wasm`, not `NAME_bg.wasm`.
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_out)
        .web(true)?
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false)
        .out_name(name)
        .generate(pkg)
        .map_err(|e| format!("wasm-bindgen: {e}"))?;
    let main_wasm = pkg.join(format!("{name}.wasm"));
    fs::rename(pkg.join(format!("{name}_bg.wasm")), &main_wasm)?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", main_wasm.display())?;
    for chunk in split.split_modules {
        writeln!(out, "{}", chunk.display())?;
    }
    Ok(())
}

/// Brotli (quality 11) and gzip copies of every file under `dir`; returns how many files.
fn compress_dir(dir: &Path) -> Result<usize> {
    let mut done = 0;
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).map_err(|e| format!("cannot read {}: {e}", at.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = path.to_string_lossy();
            if text.ends_with(".br") || text.ends_with(".gz") {
                continue;
            }
            let bytes = fs::read(&path)?;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&bytes)?;
            fs::write(format!("{text}.gz"), gz.finish()?)?;
            let mut br = Vec::new();
            brotli::BrotliCompress(
                &mut bytes.as_slice(),
                &mut br,
                &brotli::enc::BrotliEncoderParams::default(),
            )?;
            fs::write(format!("{text}.br"), br)?;
            done += 1;
        }
    }
    Ok(done)
}
