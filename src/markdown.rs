//! Markdown typed by organizers and speakers, rendered to HTML and sanitized, so that markup or
//! script typed into a description can never run on a page.

use pulldown_cmark::{html, Options, Parser};

/// Renders Markdown to sanitized HTML (ammonia's default allow-list: no scripts, no event
/// handlers, no `javascript:` links; links get `rel="noopener noreferrer"`).
pub fn to_safe_html(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(source, options);
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::clean(&unsafe_html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered() {
        let html = to_safe_html("**Two days** of [devops](https://devopsdays.org)");
        assert!(html.contains("<strong>Two days</strong>"), "{html}");
        assert!(html.contains("href=\"https://devopsdays.org\""), "{html}");
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = to_safe_html(
            "<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains(">x</a>"), "the link text stays: {html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }
}
