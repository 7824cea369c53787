//! The demo badges as one printable A4 sheet (PNG, 200 dpi): each seller's name, code and badge
//! barcode (EAN-13), big enough to scan from paper or from a phone's screen.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use naparnik_domain::Seller;
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use vello_cpu::color::palette::css::{BLACK, WHITE};
use vello_cpu::kurbo::{Rect, Stroke};
use vello_cpu::peniko::{Blob, FontData};
use vello_cpu::{Glyph, Pixmap, RenderContext, Resources};

/// A4 at 200 dots per inch.
const WIDTH: u16 = 1654;
const HEIGHT: u16 = 2339;
const MARGIN: f64 = 110.0;
/// One bar module: 5 px at 200 dpi is 0.635 mm, about twice the EAN-13 nominal size.
const MODULE: f64 = 5.0;
const BAR_HEIGHT: f64 = 250.0;
const COLUMNS: usize = 2;
const CARD_HEIGHT: f64 = 560.0;
const GAP: f64 = 40.0;
/// How many badges fit on the sheet.
pub const CAPACITY: usize = 6;

/// The text drawn on the sheet, in the window's language order (Russian first).
const TITLE: &str = "Напарник — демо-бейджи продавцов";
const HINT: &str = "Отсканируйте бейдж сканером кассы (с листа или с экрана телефона).";
const FOOTER: &str = "Демо-данные, не для работы. Убрать их: naparnik demo remove";

/// Draws left-to-right text with the window's own font (Latin and Cyrillic).
struct Writer {
    font: FontData,
    bytes: &'static [u8],
}

impl Writer {
    fn new() -> Writer {
        let bytes = epaint_default_fonts::UBUNTU_LIGHT;
        Writer {
            font: FontData::new(Blob::new(Arc::new(bytes)), 0),
            bytes,
        }
    }

    /// The glyphs of `text` from `x` on the baseline `y`, and the width they take.
    fn layout(&self, text: &str, size: f32, x: f32, y: f32) -> anyhow::Result<(Vec<Glyph>, f32)> {
        let font = skrifa::FontRef::new(self.bytes).map_err(|e| anyhow!("the font: {e}"))?;
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = x;
        for ch in text.chars() {
            let id = charmap.map(ch).unwrap_or_default();
            glyphs.push(Glyph {
                id: id.to_u32(),
                x: pen,
                y,
            });
            pen += metrics.advance_width(id).unwrap_or(size / 2.0);
        }
        Ok((glyphs, pen - x))
    }

    fn text(
        &self,
        ctx: &mut RenderContext,
        resources: &mut Resources,
        text: &str,
        size: f32,
        (x, y): (f64, f64),
    ) -> anyhow::Result<()> {
        let (glyphs, _) = self.layout(text, size, x as f32, y as f32)?;
        ctx.glyph_run(resources, &self.font)
            .font_size(size)
            .fill_glyphs(glyphs.into_iter());
        Ok(())
    }

    /// Text centred on `centre_x`.
    fn centred(
        &self,
        ctx: &mut RenderContext,
        resources: &mut Resources,
        text: &str,
        size: f32,
        (centre_x, y): (f64, f64),
    ) -> anyhow::Result<()> {
        let (_, width) = self.layout(text, size, 0.0, 0.0)?;
        self.text(
            ctx,
            resources,
            text,
            size,
            (centre_x - f64::from(width) / 2.0, y),
        )
    }
}

/// The bars of an EAN-13 code (13 digits with a right check digit), one entry per module.
fn ean13_modules(code: &str) -> anyhow::Result<Vec<u8>> {
    if naparnik_input::ean_check(code) != Some(true) || code.len() != 13 {
        return Err(anyhow!(
            "{code} is not an EAN-13 code with a right check digit"
        ));
    }
    let barcode = barcoders::sym::ean13::EAN13::new(&code[..12])
        .map_err(|e| anyhow!("cannot encode {code} as EAN-13: {e}"))?;
    Ok(barcode.encode())
}

/// Renders the sheet for up to [`CAPACITY`] sellers with EAN-13 badges and returns the PNG bytes.
pub fn render(sellers: &[Seller]) -> anyhow::Result<Vec<u8>> {
    if sellers.len() > CAPACITY {
        return Err(anyhow!(
            "{} badges do not fit on one sheet of {CAPACITY}",
            sellers.len()
        ));
    }
    let writer = Writer::new();
    let mut ctx = RenderContext::new(WIDTH, HEIGHT);
    let mut resources = Resources::new();
    ctx.set_paint(WHITE);
    ctx.fill_rect(&Rect::new(0.0, 0.0, f64::from(WIDTH), f64::from(HEIGHT)));
    ctx.set_paint(BLACK);
    writer.text(&mut ctx, &mut resources, TITLE, 56.0, (MARGIN, 190.0))?;
    writer.text(&mut ctx, &mut resources, HINT, 30.0, (MARGIN, 250.0))?;
    let card_width = (f64::from(WIDTH) - 2.0 * MARGIN - GAP) / COLUMNS as f64;
    let top = 320.0;
    ctx.set_stroke(Stroke::new(3.0));
    for (index, seller) in sellers.iter().enumerate() {
        let badge = seller
            .badge
            .as_deref()
            .with_context(|| format!("seller {} has no badge", seller.code.as_str()))?;
        let modules = ean13_modules(badge)?;
        let left = MARGIN + (index % COLUMNS) as f64 * (card_width + GAP);
        let card_top = top + (index / COLUMNS) as f64 * (CARD_HEIGHT + GAP);
        let centre = left + card_width / 2.0;
        ctx.stroke_rect(&Rect::new(
            left,
            card_top,
            left + card_width,
            card_top + CARD_HEIGHT,
        ));
        writer.centred(
            &mut ctx,
            &mut resources,
            &seller.name,
            46.0,
            (centre, card_top + 80.0),
        )?;
        writer.centred(
            &mut ctx,
            &mut resources,
            &format!("продавец {}", seller.code.as_str()),
            30.0,
            (centre, card_top + 130.0),
        )?;
        let bars_left = centre - modules.len() as f64 * MODULE / 2.0;
        let bars_top = card_top + 170.0;
        for (i, module) in modules.iter().enumerate() {
            if *module == 1 {
                let x = bars_left + i as f64 * MODULE;
                ctx.fill_rect(&Rect::new(x, bars_top, x + MODULE, bars_top + BAR_HEIGHT));
            }
        }
        writer.centred(
            &mut ctx,
            &mut resources,
            badge,
            38.0,
            (centre, bars_top + BAR_HEIGHT + 50.0),
        )?;
    }
    writer.text(
        &mut ctx,
        &mut resources,
        FOOTER,
        30.0,
        (MARGIN, f64::from(HEIGHT) - MARGIN),
    )?;
    let mut pixmap = Pixmap::new(WIDTH, HEIGHT);
    ctx.flush();
    ctx.render(&mut pixmap, &mut resources);
    pixmap
        .into_png()
        .map_err(|e| anyhow!("cannot encode the badge sheet as PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_with_a_wrong_check_digit_is_refused() {
        assert!(ean13_modules("2990000000017").is_err());
        assert_eq!(ean13_modules("2990000000019").unwrap().len(), 95);
    }

    /// The sheet as a scanner reads it: zbar (Debian `zbar-tools`, installed by
    /// `installer/dev.sh test`) decodes every badge from the PNG, and nothing else.
    #[cfg(unix)]
    #[test]
    fn every_badge_on_the_sheet_scans() {
        let sellers = super::super::samples::sellers();
        let png = render(&sellers).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("badges.png");
        std::fs::write(&path, png).unwrap();
        let output = std::process::Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sean13.enable"])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| {
                panic!("zbarimg (Debian zbar-tools; installer/dev.sh test installs it): {e}")
            });
        assert!(output.status.success(), "zbarimg: {output:?}");
        let mut read: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        read.sort();
        let mut badges: Vec<String> = sellers.into_iter().filter_map(|s| s.badge).collect();
        badges.sort();
        assert_eq!(read, badges);
    }
}
