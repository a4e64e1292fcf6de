// The migrations and code tables are embedded at compile time: rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
    println!("cargo:rerun-if-changed=../../data");
}
