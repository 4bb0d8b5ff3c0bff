//! Pixels to PNG bytes: the ticket's QR code and the demo's sponsor logos are drawn in memory.

/// Encodes 8-bit `pixels` (rows top to bottom, `colour` layout) as a PNG; empty on failure
/// (it cannot fail for a buffer of the right length).
pub fn png(width: u32, height: u32, colour: png::ColorType, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(pixels));
        if written.is_err() {
            return Vec::new();
        }
    }
    out
}
