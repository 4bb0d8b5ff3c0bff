//! QR codes: an SVG for pages (no scripts, no styles, so the CSP allows it inline) and a PNG for
//! mail. The ticket's code holds the check-in desk URL of an attendee.

use qrcode::render::svg;
use qrcode::{Color, QrCode};

/// The QR code of `data` as an SVG element (no scripts, no styles: allowed by the CSP).
pub fn qr_svg(data: &str) -> String {
    match QrCode::new(data.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Drop the XML prolog: the SVG goes inside an HTML page.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

/// The QR code of `data` as a PNG (8-bit greyscale, 6 pixels per module, quiet zone of 4).
pub fn qr_png(data: &str) -> Vec<u8> {
    let Ok(code) = QrCode::new(data.as_bytes()) else {
        return Vec::new();
    };
    let (modules, scale, quiet) = (code.width(), 6usize, 4usize);
    let colors = code.to_colors();
    let size = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255u8; size * size];
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i % modules + quiet, i / modules + quiet);
            for y in my * scale..(my + 1) * scale {
                pixels[y * size + mx * scale..y * size + (mx + 1) * scale].fill(0);
            }
        }
    }
    crate::pixels::png(size as u32, size as u32, png::ColorType::Grayscale, &pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_render_as_svg_and_png() {
        let svg = qr_svg("https://ghent.example/admin/events/usa-2010/desk/abc");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("<script"));
        let png = qr_png("https://ghent.example/admin/events/usa-2010/desk/abc");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(png.len() > 200);
    }
}
