//! The `sockplay` binary: everything lives in the library; this only exits with its status.

fn main() {
    std::process::exit(sockplay::cli::main());
}
