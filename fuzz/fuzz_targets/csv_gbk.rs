#![no_main]

mod common;

// Text as Chinese Excel saves it: the input taken as text and written in GBK.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    common::read_as("f.csv", &gbk);
});
