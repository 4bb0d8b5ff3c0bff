//! Demo logos: a sponsor's name drawn in a coloured box as a PNG at seed time (sample data; real
//! logos are uploaded), with an 8×8 bitmap font scaled up.

use font8x8::UnicodeFonts;

/// A PNG of `name` in white on `colour` (RGB), 3 pixels per font pixel, padded.
pub fn labelled_png(name: &str, colour: [u8; 3]) -> Vec<u8> {
    const SCALE: usize = 3;
    const PAD: usize = 12;
    let chars: Vec<char> = name.chars().take(24).collect();
    let width = chars.len().max(1) * 8 * SCALE + 2 * PAD;
    let height = 8 * SCALE + 2 * PAD;
    let mut pixels = vec![0u8; width * height * 3];
    for px in pixels.chunks_mut(3) {
        px.copy_from_slice(&colour);
    }
    for (i, c) in chars.iter().enumerate() {
        let glyph = font8x8::BASIC_FONTS.get(*c).unwrap_or([0; 8]);
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                if bits & (1 << col) == 0 {
                    continue;
                }
                for dy in 0..SCALE {
                    for dx in 0..SCALE {
                        let x = PAD + (i * 8 + col) * SCALE + dx;
                        let y = PAD + row * SCALE + dy;
                        let at = (y * width + x) * 3;
                        pixels[at..at + 3].copy_from_slice(&[255, 255, 255]);
                    }
                }
            }
        }
    }
    crate::pixels::png(width as u32, height as u32, png::ColorType::Rgb, &pixels)
}
