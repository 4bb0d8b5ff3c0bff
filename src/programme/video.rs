//! Video links on talk pages: YouTube and Vimeo become privacy-friendly embeds (the
//! youtube-nocookie player, Vimeo with do-not-track); anything else stays a link.

/// An embeddable player URL for a known video site.
pub fn embed_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.");
    let id_ok = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match host {
        "youtube.com" | "youtube-nocookie.com" => {
            let id = if u.path() == "/watch" {
                u.query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.to_string())?
            } else {
                u.path()
                    .strip_prefix("/embed/")
                    .or_else(|| u.path().strip_prefix("/shorts/"))
                    .or_else(|| u.path().strip_prefix("/live/"))?
                    .to_string()
            };
            id_ok(&id).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"))
        }
        "youtu.be" => {
            let id = u.path().trim_start_matches('/').to_string();
            id_ok(&id).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"))
        }
        "vimeo.com" | "player.vimeo.com" => {
            let id = u
                .path()
                .trim_start_matches("/video/")
                .trim_start_matches('/')
                .split('/')
                .next()?
                .to_string();
            (id_ok(&id) && id.chars().all(|c| c.is_ascii_digit()))
                .then(|| format!("https://player.vimeo.com/video/{id}?dnt=1"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::embed_url;

    #[test]
    fn youtube_and_vimeo_become_privacy_friendly_embeds() {
        assert_eq!(
            embed_url("https://www.youtube.com/watch?v=EOveXZhJpr4").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/EOveXZhJpr4")
        );
        assert_eq!(
            embed_url("https://youtu.be/EOveXZhJpr4").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/EOveXZhJpr4")
        );
        assert_eq!(
            embed_url("https://vimeo.com/123456").as_deref(),
            Some("https://player.vimeo.com/video/123456?dnt=1")
        );
        assert_eq!(embed_url("http://blip.tv/file/3021957"), None);
        assert_eq!(
            embed_url("https://www.youtube.com/watch?v=\"><script>"),
            None
        );
        assert_eq!(embed_url("javascript:alert(1)"), None);
    }
}
