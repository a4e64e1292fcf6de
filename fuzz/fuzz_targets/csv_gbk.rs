#![no_main]

mod common;

// Text as Chinese Excel saves it: the input taken as text and written in GBK.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (gbk, _, _) = encoding_rs::GBK.encode(&String::from_utf8_lossy(data));
    common::read_as("f.csv", &gbk);
});
