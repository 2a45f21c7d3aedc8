//! What every engine in this process is given: its environment and its sandbox helper.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use exec_bridge::engine::config::Vars;
use napi::bindgen_prelude::*;

/// The name of the sandbox helper beside the addon.
const HELPER: &str = "exec-bridge";

/// The engine's environment: `env` when given (as a spawned binary gets it), else this
/// process's.
pub fn vars(env: Option<HashMap<String, String>>) -> Vars {
    match env {
        Some(env) => env.into_iter().collect(),
        None => Vars::process(),
    }
}

/// The sandbox helper: `explicit` when given, else the `exec-bridge` binary beside this addon
/// (as the platform package ships it). It must be an executable file: no command ever runs
/// unconfined for want of one.
pub fn sandbox_helper(explicit: Option<String>) -> Result<PathBuf> {
    let helper = match explicit {
        Some(path) => PathBuf::from(path),
        None => {
            let addon = addon_path().ok_or_else(|| {
                Error::from_reason("cannot find where the agentwire addon was loaded from; pass sandboxHelper, the path of an exec-bridge binary")
            })?;
            addon.with_file_name(HELPER)
        }
    };
    if !is_executable(&helper) {
        return Err(Error::from_reason(format!(
            "the sandbox helper {} is not an executable file: every command runs through it, so nothing can run without it; install the platform package whole, or pass sandboxHelper, the path of an exec-bridge binary",
            helper.display()
        )));
    }
    Ok(helper)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The file this addon was loaded from.
fn addon_path() -> Option<PathBuf> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let address = addon_path as *const libc::c_void;
    // SAFETY: dladdr only reads the address (a function of this library) and fills `info`;
    // `dli_fname`, when set, is a NUL-terminated path owned by the loader for as long as the
    // library stays loaded, and it is copied at once.
    unsafe {
        if libc::dladdr(address, info.as_mut_ptr()) == 0 {
            return None;
        }
        let info = info.assume_init();
        if info.dli_fname.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(info.dli_fname);
        Some(PathBuf::from(std::ffi::OsStr::from_encoded_bytes_unchecked(name.to_bytes())))
    }
}
