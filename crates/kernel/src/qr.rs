//! QR codes (二维码) drawn on the server as inline SVG: no script, no image
//! request, nothing fetched.

/// `text` as a QR code; `None` if it is too long for one.
pub fn svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build())
}
