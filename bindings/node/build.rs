//! Sets up the linker for a Node.js addon.
fn main() {
    napi_build::setup();
}
