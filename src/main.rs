//! The `drscan` binary: a thin shell over the library.

fn main() -> std::process::ExitCode {
    drscan::cli::main()
}
