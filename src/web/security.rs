//! Security headers on every response, and the request log.

use actix_web::middleware::DefaultHeaders;

/// The Content-Security-Policy: no inline scripts or styles; video embeds only from the
/// privacy-friendly YouTube and Vimeo players; no framing of Ghent's pages.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data: https:; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; \
connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/// Headers added to every response (unless a handler set them).
pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "geolocation=(), microphone=(), camera=(self)",
        ))
}
